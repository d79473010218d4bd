import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FleetError, StorageStateSchema, findChromium, type StorageState } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import type { BrowserManagerOptions } from '../dist/browser/browser-manager-options.js';
import { accountProfile } from './support/accounts.js';
import { killProcesses, processesMentioning, type ProcessInfo } from './support/chromium-processes.js';
import { ForwardProxy } from './support/forward-proxy.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

const device = (userAgent: string) => ({
  userAgent,
  viewport: { width: 1280, height: 800 },
  locale: 'en-US',
  timezoneId: 'UTC',
  deviceScaleFactor: 1,
  colorScheme: 'light' as const,
});

describe('BrowserManager in shared browser mode', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let alice: SeededUser;
  let bob: SeededUser;
  const managers: BrowserManager[] = [];
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  function manager(options: Partial<BrowserManagerOptions> = {}): BrowserManager {
    const created = new BrowserManager({
      dataDir: temp.dir,
      chromiumPath: findChromium(),
      closeTimeoutMs: 5000,
      logger: quietLogger,
      browserMode: 'shared',
      ...options,
    });
    managers.push(created);
    return created;
  }

  /** The main processes (not renderers or helpers) of the shared browsers under this test's data dir. */
  function sharedBrowserProcesses(): ProcessInfo[] {
    // Chromium rewrites its children's command lines into one string: look for the flag anywhere in it.
    return processesMentioning(path.join(temp.dir, 'shared-browsers')).filter((p) => !p.argv.join(' ').includes('--type='));
  }

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
    bob = await site.addUser('bob');
  });

  afterEach(async () => {
    await Promise.allSettled(managers.splice(0).map((m) => m.close()));
    await Promise.allSettled(cleanups.splice(0).map((c) => c()));
    killProcesses(processesMentioning(temp.dir));
    await site.close();
    temp.remove();
  });

  it('opens every account as its own isolated context of one Chromium, with its own device profile', async () => {
    const browsers = manager();
    const a = accountProfile('acc-a', { deviceProfile: device('agent-of-a') });
    const b = accountProfile('acc-b', { deviceProfile: device('agent-of-b') });
    const c = accountProfile('acc-c');
    await Promise.all([browsers.open(a), browsers.open(b), browsers.open(c)]);

    expect(browsers.liveCount).toBe(3);
    expect(sharedBrowserProcesses()).toHaveLength(1);
    // No persistent profile directory per account in this mode.
    expect(processesMentioning(path.join(temp.dir, 'profiles'))).toEqual([]);

    const pageA = await browsers.newPage(a);
    await site.signIn(pageA, alice);
    const pageB = await browsers.newPage(b);
    expect(await site.signedInAs(pageB)).toBeNull(); // a's session cookie is not b's
    await site.signIn(pageB, bob);
    expect(await site.signedInAs(pageA)).toBe('alice');
    expect(await pageA.evaluate(() => navigator.userAgent)).toBe('agent-of-a');
    expect(await pageB.evaluate(() => navigator.userAgent)).toBe('agent-of-b');
    await Promise.all([pageA.close(), pageB.close()]);

    // With no page left open (no keep-alive page in this mode), the session stays.
    const later = await browsers.newPage(a);
    expect(later.context().pages()).toEqual([later]);
    expect(await site.signedInAs(later)).toBe('alice');
    await later.close();
  });

  it('restores cookies, localStorage and IndexedDB when a hibernated account reopens, here or on another worker', async () => {
    const snapshots: StorageState[] = [];
    const browsers = manager({ onSnapshot: (_id, state) => void snapshots.push(state) });
    const profile = accountProfile('acc-a');
    const page = await browsers.newPage(profile);
    await site.signIn(page, alice);
    await page.evaluate(async () => {
      localStorage.setItem('draft', 'hello from a');
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('notes', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('notes', { keyPath: 'id' });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('notes', 'readwrite');
          tx.objectStore('notes').put({ id: 1, text: 'kept in IndexedDB' });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      });
    });
    await page.close();

    await browsers.closeContext('acc-a', { snapshot: true });
    expect(browsers.hibernatedCount).toBe(1);
    expect(snapshots).toHaveLength(1);
    // The master keeps the IndexedDB part: its schema does not strip it.
    const stored = StorageStateSchema.parse(JSON.parse(JSON.stringify(snapshots[0])));
    expect(stored.origins.find((o) => o.origin === site.url)?.indexedDB).toHaveLength(1);

    const readBack = async (manager: BrowserManager, accountProfileToOpen: ReturnType<typeof accountProfile>) => {
      const again = await manager.newPage(accountProfileToOpen);
      const handle = await site.signedInAs(again);
      const saved = await again.evaluate(async () => {
        const text = await new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('notes', 1);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('notes').objectStore('notes').get(1);
            get.onsuccess = () => resolve((get.result as { text: string } | undefined)?.text ?? 'missing');
            get.onerror = () => reject(get.error);
          };
        });
        return { draft: localStorage.getItem('draft'), text };
      });
      await again.close();
      return { handle, ...saved };
    };
    // Here: from the hibernation cache.
    expect(await readBack(browsers, profile)).toEqual({ handle: 'alice', draft: 'hello from a', text: 'kept in IndexedDB' });
    // Another worker: from the master's copy alone.
    const elsewhere = manager({ dataDir: path.join(temp.dir, 'other-worker') });
    expect(await readBack(elsewhere, accountProfile('acc-a', { storageState: stored, storageStateVersion: 1 }))).toEqual({
      handle: 'alice',
      draft: 'hello from a',
      text: 'kept in IndexedDB',
    });
  });

  it('reopens every context of a SIGKILLed shared browser in a new one, signed in from the last snapshot, and reports the crash per account', async () => {
    const crashed: { accountId: string; error: FleetError }[] = [];
    const browsers = manager({ onContextCrashed: (accountId, error) => crashed.push({ accountId, error }) });
    const a = accountProfile('acc-a');
    const b = accountProfile('acc-b');
    const pageA = await browsers.newPage(a);
    await site.signIn(pageA, alice);
    await pageA.close();
    a.storageState = await browsers.snapshot('acc-a'); // what the worker's registry holds after a login
    await browsers.open(b);
    const [before] = sharedBrowserProcesses();
    expect(before).toBeDefined();

    process.kill(before!.pid, 'SIGKILL');

    await waitFor('both contexts reopened in a new shared browser', () => {
      const now = sharedBrowserProcesses();
      return browsers.liveCount === 2 && now.length === 1 && now[0]!.pid !== before!.pid ? true : undefined;
    });
    expect(crashed.map((c) => c.accountId).sort()).toEqual(['acc-a', 'acc-b']);
    expect(crashed.every((c) => c.error.code === 'BROWSER_CRASHED' && c.error.retryable)).toBe(true);
    expect(browsers.states.get('acc-a').state).toBe('running');
    const again = await browsers.newPage(a);
    expect(await site.signedInAs(again)).toBe('alice');
    await again.close();
  });

  it("keeps the next job's page ready in the account's context while it is in use, a blank one no job has had, and drops it once idle", async () => {
    const browsers = manager({ sparePageIdleMs: 1500 });
    const a = accountProfile('acc-a');
    const b = accountProfile('acc-b');
    const first = await browsers.newPage(a);
    const context = first.context();
    await site.signIn(first, alice);
    await first.evaluate(() => sessionStorage.setItem('tab', 'first job'));
    await first.close();

    // Ready once the last page closed: blank, in the same context, and handed to the next job.
    const ready = await waitFor('the next page to be ready', () => (context.pages().length === 1 ? context.pages()[0] : undefined));
    expect(ready.url()).toBe('about:blank');
    const second = await browsers.newPage(a);
    expect(second).toBe(ready);
    expect(context.pages()).toEqual([second]);
    await second.goto(site.url);
    expect(await site.signedInAs(second)).toBe('alice');
    expect(await second.evaluate(() => sessionStorage.getItem('tab'))).toBeNull(); // a fresh tab, not the first job's
    // Another account's context has its own, never this one's.
    const other = await browsers.newPage(b);
    expect(other.context()).not.toBe(context);
    expect(await site.signedInAs(other)).toBeNull();
    await Promise.all([second.close(), other.close()]);

    // Unused past the idle time, it closes: an idle account holds no page.
    await waitFor('the next page to be ready again', () => (context.pages().length === 1 ? true : undefined));
    await waitFor('the unused page to close', () => (context.pages().length === 0 ? true : undefined), 10_000);
    expect(browsers.liveCount).toBe(2);
    const later = await browsers.newPage(a);
    expect(await site.signedInAs(later)).toBe('alice');
    await later.close();
  });

  it('sends each account through its own proxy', async () => {
    const proxyA = new ForwardProxy('proxy-a');
    const proxyB = new ForwardProxy('proxy-b');
    const [urlA, urlB] = await Promise.all([proxyA.start(), proxyB.start()]);
    cleanups.push(
      () => proxyA.close(),
      () => proxyB.close(),
    );
    const browsers = manager();
    const a = accountProfile('acc-a', { proxy: urlA, deviceProfile: device('agent-of-a') });
    const b = accountProfile('acc-b', { proxy: urlB, deviceProfile: device('agent-of-b') });

    const pageA = await browsers.newPage(a);
    const pageB = await browsers.newPage(b);
    await site.signIn(pageA, alice);
    await site.signIn(pageB, bob);
    expect(await site.signedInAs(pageA)).toBe('alice');
    expect(await site.signedInAs(pageB)).toBe('bob');
    await Promise.all([pageA.close(), pageB.close()]);

    // Each proxy carried its own account's sign-in, and nothing of the other account.
    const logins = (proxy: ForwardProxy) => proxy.requests.filter((r) => r.url === `${site.url}/login`);
    expect(logins(proxyA).length).toBeGreaterThan(0);
    expect(logins(proxyB).length).toBeGreaterThan(0);
    expect(new Set(proxyA.requests.map((r) => r.userAgent))).toEqual(new Set(['agent-of-a']));
    expect(new Set(proxyB.requests.map((r) => r.userAgent))).toEqual(new Set(['agent-of-b']));
    // And the site saw one session per account, each with that account's device.
    const sessions = (await (await fetch(`${site.url}/admin/sessions`)).json()) as { items: { userAgent: string }[] };
    expect(sessions.items.map((s) => s.userAgent).sort()).toEqual(['agent-of-a', 'agent-of-b']);
  });
});
