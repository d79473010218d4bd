import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '@fleetwright/shared';
import { FleetHarness } from '../support/fleet-harness.js';
import { processesMentioning } from '../support/processes.js';
import { RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A job whose page would not close has its account's context closed after it: that context, not
 * the one its shared browser's crash has opened since. Seen in CI (account-browser, shared mode):
 * a cancelled job's page hung on close, the test then killed the shared browser, and the job's
 * cleanup closed the freshly reopened context, leaving the account stopped.
 */
/** The QR login's page is open (showing its code) once it waits for the scan. */
async function waitForScanStep(fleet: FleetHarness, jobId: string): Promise<void> {
  await waitFor(
    `job ${jobId} to wait for the scan`,
    async () => ((await fleet.api('GET', `/jobs/${jobId}`)).body.progress?.step === 'wait_for_scan' ? true : undefined),
    30_000,
    50,
  );
}

describe("a job's cleanup after its shared browser crashed", () => {
  let fleet: FleetHarness | undefined;
  let redis: RedisServer | undefined;
  let probe: Redis | undefined;
  let stopped: number | undefined;

  afterEach(async () => {
    if (stopped !== undefined) {
      try {
        process.kill(stopped, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    probe?.disconnect();
    await fleet?.close();
    await redis?.stop();
    fleet = redis = probe = stopped = undefined;
  });

  it('leaves the context reopened by the crash running', async () => {
    redis = await new RedisServer().start();
    probe = new Redis(redis.url);
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'kira', email: 'kira@sandbox.test', password: 'kira-secret-1' });
    const worker = await fleet.startWorker('w1', { redisUrl: redis.url, redisPrefix: 'fleet:', browserMode: 'shared' });
    const accountId = (
      (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'kira', password: 'kira-secret-1' } })).body as AccountView
    ).id;
    const account = (what: string, predicate: (a: AccountView) => boolean): Promise<AccountView> => fleet!.waitForAccount(accountId, what, predicate);
    await account('running', (a) => a.browser.state === 'running');

    // A QR login waits for the phone, so its page stays open while the job waits.
    const qr = (await fleet.api('POST', '/jobs', { type: 'login', accountId, payload: { method: 'qr' } })).body;
    await waitForScanStep(fleet, qr.id);
    const browserPid = worker.browsers.browserPidOf(accountId)!;
    expect(browserPid).toBeDefined();
    const fenceBefore = Number(await probe.get(`fleet:fence:${accountId}`));

    // A frozen browser: the cancelled job's page cannot close (as a page caught mid-navigation
    // may not), so the job ends with a stuck page and its context to close after it.
    process.kill(browserPid, 'SIGSTOP');
    stopped = browserPid;
    await fleet.api('POST', `/jobs/${qr.id}/cancel`);
    expect(await fleet.waitForJob(qr.id)).toMatchObject({ status: 'cancelled' });

    // The browser dies before the job's cleanup is done: its context reopens in a new browser.
    process.kill(browserPid, 'SIGKILL');
    stopped = undefined;
    await account('running again in a new shared browser', (a) => a.browser.state === 'running' && (a.browser.lockHolder?.fenceToken ?? 0) > fenceBefore);
    await waitFor('the job to be done on the worker', () => (worker.runner.hasJobFor(accountId) ? undefined : true), 30_000, 50);

    // The cleanup closed nothing of the new browser's.
    expect(worker.browsers.liveAccountIds()).toContain(accountId);
    expect(worker.browsers.states.get(accountId).state).toBe('running');
    expect(worker.browsers.browserPidOf(accountId)).not.toBe(browserPid);
    expect((await fleet.api('GET', `/accounts/${accountId}`)).body.browser.state).toBe('running');
  });

  it('still closes the context of the stuck page when it is the live one', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'lena', email: 'lena@sandbox.test', password: 'lena-secret-1' });
    const worker = await fleet.startWorker('w1', { browserMode: 'persistent' });
    const accountId = (
      (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'lena', password: 'lena-secret-1' } })).body as AccountView
    ).id;
    const qr = (await fleet.api('POST', '/jobs', { type: 'login', accountId, payload: { method: 'qr' } })).body;
    await waitForScanStep(fleet, qr.id);
    const browserPid = worker.browsers.browserPidOf(accountId)!;
    expect(browserPid).toBeDefined();

    process.kill(browserPid, 'SIGSTOP');
    stopped = browserPid;
    await fleet.api('POST', `/jobs/${qr.id}/cancel`);
    expect(await fleet.waitForJob(qr.id)).toMatchObject({ status: 'cancelled' });
    await waitFor('the job to be done on the worker', () => (worker.runner.hasJobFor(accountId) ? undefined : true), 60_000, 50);

    // Its context could not close gracefully, so it was killed: nothing of the frozen browser stays.
    expect(worker.browsers.liveAccountIds()).not.toContain(accountId);
    await waitFor(
      'the frozen browser to be killed',
      () => (processesMentioning(worker.browsers.profileDir(accountId)).length === 0 ? true : undefined),
      30_000,
      50,
    );
  });
});
