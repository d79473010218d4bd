import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, ClientRequest, ERROR_CODES, isErrorCode, type JobView } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { FleetHarness } from '../support/fleet-harness.js';

/**
 * Password login as a client starts it (`login:start`) and follows it (`login:status`). The REST
 * path and the failure's artifacts are covered by first-job.test.ts and failure-artifacts.test.ts.
 */
describe('password login over the /client socket', () => {
  let fleet: FleetHarness | undefined;
  let client: ClientEventRecorder | undefined;
  afterEach(async () => {
    client?.close();
    await fleet?.close();
  });

  async function startLogin(accountId: string): Promise<string> {
    const ack = (await client!.socket.timeout(10_000).emitWithAck(ClientRequest.LoginStart, { accountId, method: 'password' })) as {
      ok: boolean;
      data: JobView;
    };
    expect(ack).toMatchObject({ ok: true, data: { type: 'login' } });
    return ack.data.id;
  }

  it('reports login:status success for the right password, and failed with an auth-class error, a screenshot and steps.login failed for a wrong one', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'dana', email: 'dana@sandbox.test', password: 'dana-right-1' });
    await fleet.sandboxAdmin('/users', { handle: 'erin', email: 'erin@sandbox.test', password: 'erin-right-1' });
    await fleet.startWorker('w1');
    client = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    const right = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'dana', password: 'dana-right-1' } });
    const wrong = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'erin', password: 'erin-WRONG-1' } });

    const okJob = await startLogin(right.body.id);
    const badJob = await startLogin(wrong.body.id);
    const ok = await fleet.waitForJob(okJob);
    const bad = await fleet.waitForJob(badJob);

    expect(ok).toMatchObject({ status: 'succeeded', result: { loggedIn: true, skipped: false, handle: 'dana', method: 'password' } });
    expect((await client.next(ClientEvent.LoginStatus, (e) => e.jobId === okJob)).status).toBe('success');
    expect((await fleet.api('GET', `/accounts/${right.body.id}`)).body).toMatchObject({ hasStorageState: true, steps: { login: { status: 'success' } } });

    // Not retryable: one attempt; the code belongs to the `auth` class.
    expect(bad).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'AUTH_FAILED' } });
    const code = bad.error!.code;
    expect(isErrorCode(code) && ERROR_CODES[code].errorClass).toBe('auth');
    expect(bad.error!.message).toContain('Invalid username or password');
    const status = await client.next(ClientEvent.LoginStatus, (e) => e.jobId === badJob);
    expect(status).toMatchObject({ accountId: wrong.body.id, status: 'failed', message: 'Invalid username or password' });
    expect(client.all(ClientEvent.LoginStatus, (e) => e.jobId === badJob)).toHaveLength(1);
    expect(bad.artifacts.map((a) => a.name)).toContain('verify_session_failed.png');
    expect((await fleet.api('GET', `/accounts/${wrong.body.id}`)).body).toMatchObject({ hasStorageState: false, steps: { login: { status: 'failed' } } });
  });
});
