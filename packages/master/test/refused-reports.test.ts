import { afterEach, describe, expect, it } from 'vitest';
import { WorkerEvent, type Ack } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

const RETENTION_MS = 60_000;
/** The largest QR image a worker may send (WorkerLoginQrCodeSchema). */
const QR_CHARS = 2_000_000;

describe('refused reports are kept small and purged with the retention', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('stores a refused 2 MB QR report cut to a few KB (ids kept), and the retention pass purges old refusals', async () => {
    fx = await MasterFixture.start({ retentionMs: RETENTION_MS });
    const owner = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'login', accountId: account.id });
    const run = await owner.waitForRun(0);
    const intruder = await fx.worker('w2').start();

    const dataUrl = `data:image/png;base64,${'A'.repeat(QR_CHARS - 'data:image/png;base64,'.length)}`;
    const ack: Ack = await intruder.socket
      .timeout(10_000)
      .emitWithAck(WorkerEvent.LoginQrCode, { jobId: job.id, accountId: account.id, epoch: run.epoch, attempt: 1, dataUrl });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_OWNER' } });

    const [refused] = await waitUntil('the refusal recorded', () => (fx.refusedReports().length > 0 ? fx.refusedReports() : undefined));
    expect(refused).toMatchObject({
      worker_id: 'w2',
      event: WorkerEvent.LoginQrCode,
      code: 'NOT_OWNER',
      detail: expect.objectContaining({ jobId: job.id, accountId: account.id, attempt: 1 }),
    });
    const stored = fx.master.store.db.prepare('SELECT MAX(LENGTH(detail)) AS n FROM refused_reports').get() as { n: number };
    expect(stored.n).toBeLessThanOrEqual(4_096);

    // Not yet past the retention: kept. Past it: purged.
    await fx.master.retention.purge(Date.now());
    expect(fx.refusedReports()).toHaveLength(1);
    await fx.master.retention.purge(Date.now() + RETENTION_MS + 1_000);
    expect(fx.refusedReports()).toEqual([]);
    // The counter of refusals does not go down with the purge.
    const metrics = await (await fetch(`${fx.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toContain(`fleet_refused_reports_total{event="${WorkerEvent.LoginQrCode}",code="NOT_OWNER"} 1`);
  });
});
