import { afterEach, describe, expect, it } from 'vitest';
import { FleetHarness } from '../support/fleet-harness.js';

describe('a failed job leaves its evidence', () => {
  let fleet: FleetHarness;
  afterEach(async () => {
    await fleet?.close();
  });

  it('keeps run.log, a screenshot named after the failing step and a trace, served safely', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'carol', email: 'carol@sandbox.test', password: 'carol-right-1' });
    await fleet.startWorker('w1');
    const account = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'carol', password: 'carol-WRONG-1' } });
    const login = await fleet.api('POST', '/jobs', { type: 'login', accountId: account.body.id });
    const failed = await fleet.waitForJob(login.body.id);

    // AUTH_FAILED is not retryable: one attempt, code and message kept.
    expect(failed).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'AUTH_FAILED' } });
    const names = failed.artifacts.map((a) => a.name).sort();
    expect(names).toEqual(['run.log', 'trace.zip', 'verify_session_failed.png']);

    const headers = { authorization: `Bearer ${fleet.apiToken}` };
    const png = await fetch(`${fleet.master.url}${failed.artifacts.find((a) => a.name.endsWith('.png'))!.url}`, { headers });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const log = await (await fetch(`${fleet.master.url}/api/v1/jobs/${failed.id}/artifacts/run.log`, { headers })).text();
    expect(log).toContain('submitting the password form');
    expect(log).toContain('AUTH_FAILED');
    expect(log).not.toContain('carol-WRONG-1');
    const trace = await fetch(`${fleet.master.url}/api/v1/jobs/${failed.id}/artifacts/trace.zip`, { headers });
    expect(trace.headers.get('content-type')).toBe('application/zip');
    expect([...new Uint8Array(await trace.arrayBuffer()).slice(0, 2)]).toEqual([0x50, 0x4b]);

    // Only the job's own recorded files: no path tricks, no other job's names, no anonymous reads.
    expect((await fleet.api('GET', `/jobs/${failed.id}/artifacts/..%2F..%2Fsecrets.json`)).status).toBe(400);
    expect((await fleet.api('GET', `/jobs/${failed.id}/artifacts/other.png`)).status).toBe(404);
    expect((await fleet.api('GET', `/jobs/${failed.id}/artifacts/run.log`, undefined, null)).status).toBe(401);
    const forged = await fetch(`${fleet.master.url}/api/v1/worker/jobs/${failed.id}/artifacts/x.png`, {
      method: 'PUT',
      headers: { authorization: 'Bearer nope', 'x-fleet-worker': 'w1' },
      body: 'x',
    });
    expect(forged.status).toBe(401);
  });
});
