import { afterEach, describe, expect, it } from 'vitest';
import { WorkerEvent, type Ack } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
// Pure bookkeeping, tested on its own: no fleet needed to fill it.
import { LiveLogs } from '../dist/jobs/live-logs.js';
import { QrCodeCache } from '../dist/jobs/qr-code-cache.js';

const LONGEST_LINE = 'x'.repeat(4_096);

function qrOf(chars: number): string {
  const prefix = 'data:image/png;base64,';
  return prefix + 'A'.repeat(chars - prefix.length);
}

describe('in-memory tails and QR codes are bounded', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('keeps live run.log tails within a total and per-job bound however much is written', () => {
    const logs = new LiveLogs();
    for (let job = 0; job < 600; job += 1) {
      for (let batch = 0; batch < 3; batch += 1)
        logs.append(
          `job-${job}`,
          Array.from({ length: 200 }, () => LONGEST_LINE),
        );
    }
    let total = 0;
    let largest = 0;
    for (let job = 0; job < 600; job += 1) {
      const chars = logs.lines(`job-${job}`).reduce((n, line) => n + line.length, 0);
      total += chars;
      largest = Math.max(largest, chars);
    }
    expect(largest).toBeLessThanOrEqual(64_000);
    expect(total).toBeLessThanOrEqual(8_000_000);
    // The newest job's newest line is there: the tail keeps what was written last.
    expect(logs.lines('job-599').at(-1)).toBe(LONGEST_LINE);
    expect(logs.size).toBe(total);
  });

  it('keeps QR codes within a count and a total size, dropping the oldest first', () => {
    const codes = new QrCodeCache();
    for (let job = 0; job < 40; job += 1) codes.set(`login-${job}`, qrOf(2_000_000));
    expect(codes.size).toBeLessThanOrEqual(8);
    expect(codes.get('login-39')).toBeDefined();
    expect(codes.get('login-0')).toBeUndefined();
    for (let job = 0; job < 1_000; job += 1) codes.set(`small-${job}`, qrOf(5_000));
    expect(codes.size).toBeLessThanOrEqual(200);
    expect(codes.get('small-999')).toBeDefined();
  });

  it("drops a login's QR code once the login is over", async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'login', accountId: account.id });
    const run = await worker.waitForRun(0);
    const report = { jobId: job.id, accountId: account.id, epoch: run.epoch, attempt: 1, dataUrl: qrOf(10_000) };
    const ack: Ack = await worker.socket.timeout(5_000).emitWithAck(WorkerEvent.LoginQrCode, report);
    expect(ack).toEqual({ ok: true });
    expect((await fx.api('GET', `/jobs/${job.id}/qrcode`)).body).toMatchObject({ dataUrl: report.dataUrl });

    expect((await worker.succeed(run)).ok).toBe(true);
    const after = await fx.api('GET', `/jobs/${job.id}/qrcode`);
    expect(after.status).toBe(404);
  });
});
