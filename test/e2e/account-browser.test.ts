import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, type AccountView } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { FleetHarness } from '../support/fleet-harness.js';
import { processesMentioning } from '../support/processes.js';
import { RedisServer } from '../support/redis-server.js';
import { BROWSER_MODES } from '../support/browser-modes.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The account's browser as operators see it (state, lock holder) and drive it (start = warm,
 * stop = hibernate), with a real worker, Chromium, Redis locks and the sandbox.
 */
describe("an account's browser: state, lock holder, start and stop", () => {
  let fleet: FleetHarness | undefined;
  let redis: RedisServer | undefined;
  let probe: Redis | undefined;
  let client: ClientEventRecorder | undefined;
  afterEach(async () => {
    client?.close();
    probe?.disconnect();
    await fleet?.close();
    await redis?.stop();
    fleet = redis = probe = client = undefined;
  });

  it.each(BROWSER_MODES)(
    'shows running with the Redis lock holder, stops (hibernates) and starts on request, refuses a stop mid-job, and reports a killed browser as error (%s mode)',
    async (browserMode) => {
      redis = await new RedisServer().start();
      probe = new Redis(redis.url);
      fleet = await new FleetHarness().start();
      await fleet.sandboxAdmin('/users', { handle: 'hana', email: 'hana@sandbox.test', password: 'hana-secret-1' });
      client = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
      const worker = await fleet.startWorker('w1', { redisUrl: redis.url, redisPrefix: 'fleet:', browserMode });
      const created = (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'hana', password: 'hana-secret-1' } }))
        .body as AccountView;
      const accountId = created.id;
      const account = (what: string, predicate: (a: AccountView) => boolean): Promise<AccountView> => fleet!.waitForAccount(accountId, what, predicate);

      // The worker warms the assigned account: running, and the lock holder is the Redis lock's.
      const warm = await account('running', (a) => a.browser.state === 'running');
      const firstFence = Number(await probe.get(`fleet:fence:${accountId}`));
      expect(warm.browser).toMatchObject({ state: 'running', workerId: 'w1', lockHolder: { workerId: 'w1', fenceToken: firstFence }, error: null });
      expect(worker.browsers.fenceTokenOf(accountId)).toBe(firstFence);
      expect(await probe.exists(`fleet:profile:${accountId}`)).toBe(1);
      await client.next(ClientEvent.AccountBrowser, (e) => e.accountId === accountId && e.browser.state === 'running');
      expect(
        client
          .all(ClientEvent.AccountBrowser, (e) => e.accountId === accountId)
          .map((e) => e.browser.state)
          .slice(0, 2),
      ).toEqual(['starting', 'running']);

      // Log in, so stopping has a session worth keeping.
      const login = (await fleet.api('POST', '/jobs', { type: 'login', accountId })).body;
      expect(await fleet.waitForJob(login.id)).toMatchObject({ status: 'succeeded' });
      const before = await account('with a snapshot', (a) => a.hasStorageState);

      // Stop = hibernate: snapshot to the master, context closed, lock released, directory kept.
      const stopped = await fleet.api('POST', `/accounts/${accountId}/browser/stop`);
      expect(stopped.status).toBe(200);
      expect((stopped.body as AccountView).browser).toMatchObject({ state: 'stopped', lockHolder: null });
      expect(worker.browsers.liveAccountIds()).not.toContain(accountId);
      expect(await probe.exists(`fleet:profile:${accountId}`)).toBe(0);
      await waitFor(
        'the stopped browser to leave no process',
        () => (processesMentioning(worker.browsers.profileDir(accountId)).length === 0 ? true : undefined),
        10_000,
        50,
      );
      expect((await account('snapshot version up', (a) => a.storageStateVersion > before.storageStateVersion)).hasStorageState).toBe(true);
      await client.next(ClientEvent.AccountBrowser, (e) => e.accountId === accountId && e.browser.state === 'stopped');

      // Start = warm it again: a new lock, so a higher fencing token; still signed in (no new login).
      const started = await fleet.api('POST', `/accounts/${accountId}/browser/start`);
      expect(started.status).toBe(200);
      const secondFence = Number(await probe.get(`fleet:fence:${accountId}`));
      expect(secondFence).toBeGreaterThan(firstFence);
      expect((started.body as AccountView).browser).toMatchObject({ state: 'running', lockHolder: { workerId: 'w1', fenceToken: secondFence } });
      const crawl = await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'crawl', accountId })).body.id);
      expect(crawl.status).toBe('succeeded');
      const sessions = (await (await fetch(`${fleet.sandbox.url}/admin/sessions`)).json()) as { items: unknown[] };
      expect(sessions.items).toHaveLength(1);

      // A QR login waits for the phone, so the job stays running: stopping now is refused. The site
      // signs everyone out first, or the login would find the session valid and end at once.
      expect((await fetch(`${fleet.sandbox.url}/admin/sessions`, { method: 'DELETE' })).status).toBe(200);
      const qr = (await fleet.api('POST', '/jobs', { type: 'login', accountId, payload: { method: 'qr' } })).body;
      await fleet.waitForJob(qr.id, ['running']);
      const busy = await fleet.api('POST', `/accounts/${accountId}/browser/stop`);
      expect(busy.status).toBe(409);
      expect(busy.body).toMatchObject({ code: 'ACCOUNT_BUSY' });
      expect((await fleet.api('GET', `/accounts/${accountId}`)).body.browser.state).toBe('running');
      await fleet.api('POST', `/jobs/${qr.id}/cancel`);
      expect(await fleet.waitForJob(qr.id)).toMatchObject({ status: 'cancelled' });

      // A browser killed from outside shows as error (with why), and a start brings it back.
      const browserPid = worker.browsers.browserPidOf(accountId);
      expect(browserPid).toBeDefined();
      if (browserMode === 'persistent') {
        expect(processesMentioning(worker.browsers.profileDir(accountId))).toContain(browserPid);
        for (const pid of processesMentioning(worker.browsers.profileDir(accountId))) process.kill(pid, 'SIGKILL');
        const crashed = await account('error after the kill', (a) => a.browser.state === 'error');
        expect(crashed.browser).toMatchObject({ workerId: 'w1', lockHolder: null });
        expect(crashed.browser.error).toMatch(/closed unexpectedly/);
      } else {
        // The shared browser holds no profile of the account's: killing it is killing every context
        // in it. Each reports the crash, then reopens by itself in a new shared browser.
        process.kill(browserPid!, 'SIGKILL');
        const crashed = await client.next(ClientEvent.AccountBrowser, (e) => e.accountId === accountId && e.browser.state === 'error');
        expect(crashed.browser.error).toMatch(/closed unexpectedly/);
        await account('running again in a new shared browser', (a) => a.browser.state === 'running' && (a.browser.lockHolder?.fenceToken ?? 0) > secondFence);
        expect(worker.browsers.browserPidOf(accountId)).not.toBe(browserPid);
      }
      const restarted = await fleet.api('POST', `/accounts/${accountId}/browser/start`);
      expect(restarted.status).toBe(200);
      expect((restarted.body as AccountView).browser).toMatchObject({ state: 'running', error: null });
      expect((restarted.body as AccountView).browser.lockHolder!.fenceToken).toBeGreaterThan(secondFence);
    },
  );

  it('reopens an idle browser with the new device profile when the account is edited, keeping it signed in', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'ivan', email: 'ivan@sandbox.test', password: 'ivan-secret-1' });
    const worker = await fleet.startWorker('w1');
    const created = (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'ivan', password: 'ivan-secret-1' } }))
      .body as AccountView;
    expect(await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId: created.id })).body.id)).toMatchObject({ status: 'succeeded' });
    const userAgentNow = async (): Promise<string> => {
      const page = await worker.browsers.newPage(worker.accounts.get(created.id)!);
      try {
        return await page.evaluate(() => navigator.userAgent);
      } finally {
        await page.close();
      }
    };
    const before = await userAgentNow();
    const current = (await fleet.api('GET', `/accounts/${created.id}`)).body as AccountView;
    const userAgent = `${current.deviceProfile!.userAgent} FleetEdited/1`;
    const edited = await fleet.api('PATCH', `/accounts/${created.id}`, { deviceProfile: { ...current.deviceProfile!, userAgent } });
    expect(edited.status).toBe(200);

    // The worker gets the edit with the redelivered assignment and relaunches the idle context.
    await waitFor('the context to run with the new user agent', async () => ((await userAgentNow()) === userAgent ? true : undefined), 30_000, 200);
    expect(before).not.toBe(userAgent);
    const crawl = await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'crawl', accountId: created.id })).body.id);
    expect(crawl.status).toBe('succeeded');
    const sessions = (await (await fetch(`${fleet.sandbox.url}/admin/sessions`)).json()) as { items: unknown[] };
    expect(sessions.items).toHaveLength(1);
  });
});
