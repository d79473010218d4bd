import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError, findChromium, type StorageState } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import type { BrowserManagerOptions } from '../dist/browser/browser-manager-options.js';
import { accountProfile } from './support/accounts.js';
import { HeaderRecorder } from './support/header-recorder.js';
import { browserProcessOf, chromiumDescendants, killProcesses, processesMentioning } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

describe('BrowserManager', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let alice: SeededUser;
  const managers: BrowserManager[] = [];
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  function manager(options: Partial<BrowserManagerOptions> = {}): BrowserManager {
    const created = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), closeTimeoutMs: 5000, logger: quietLogger, ...options });
    managers.push(created);
    return created;
  }

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
  });

  afterEach(async () => {
    await Promise.allSettled(managers.splice(0).map((m) => m.close()));
    await Promise.allSettled(cleanups.splice(0).map((c) => c()));
    // Tests that stop or orphan a browser on purpose leave it to this.
    killProcesses(processesMentioning(temp.dir));
    await site.close();
    temp.remove();
  });

  it('opens a profile in <dataDir>/profiles/<accountId> with one live browser', async () => {
    const browsers = manager();
    await browsers.open(accountProfile('acc-1'));

    const dir = path.join(temp.dir, 'profiles', 'acc-1');
    expect(browsers.profileDir('acc-1')).toBe(dir);
    expect(existsSync(path.join(dir, 'Default'))).toBe(true);
    expect(browsers.liveCount).toBe(1);
    expect(browsers.liveAccountIds()).toEqual(['acc-1']);
    expect(browserProcessOf(dir)).toBeDefined();
  });

  it('launches a single browser when the same account is opened several times at once', async () => {
    const browsers = manager();
    const profile = accountProfile('acc-1');
    const [, , page] = await Promise.all([browsers.open(profile), browsers.open(profile), browsers.newPage(profile)]);

    expect(browsers.liveCount).toBe(1);
    const launched = chromiumDescendants().filter((p) => p.ppid === process.pid);
    expect(launched).toHaveLength(1);
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
  });

  it('keeps the session cookie after the job page that signed in is closed', async () => {
    const browsers = manager();
    const profile = accountProfile('acc-1');
    const loginPage = await browsers.newPage(profile);
    await site.signIn(loginPage, alice);
    await loginPage.close();

    const next = await browsers.newPage(profile);
    expect(await site.signedInAs(next)).toBe('alice');
    expect(site.server.store.sessions.size).toBe(1);
  });

  it("sends X-Fleet-Fence with the profile's token on navigations, subresources and fetches of every page", async () => {
    const recorder = new HeaderRecorder();
    const base = await recorder.start();
    cleanups.push(() => recorder.close());
    const browsers = manager({ fenceOriginsOf: () => [base] });
    const profile = accountProfile('acc-1', { fenceToken: 42 });

    for (const page of [await browsers.newPage(profile), await browsers.newPage(profile)]) {
      const before = recorder.requests.length;
      await page.goto(`${base}/`);
      await waitFor('the page script to call /api', () => (recorder.requests.slice(before).some((r) => r.path === '/api') ? true : undefined));
    }

    expect(recorder.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/', '/pixel.gif', '/app.js', '/api']));
    expect(recorder.requests.filter((r) => r.fence !== '42')).toEqual([]);
  });

  it('lets the sandbox check the fence on signed-in requests without recording a violation', async () => {
    const browsers = manager({ fenceOriginsOf: () => [site.url] });
    const page = await browsers.newPage(accountProfile('acc-1', { fenceToken: 3 }));
    await site.signIn(page, alice);
    await page.goto(`${site.url}/comments`);

    const report = await site.fenceReport();
    expect(report.requestsWithFence).toBeGreaterThanOrEqual(2);
    expect(report.violations).toEqual([]);
  });

  it('sends the newer fence token once the open account is reassigned under a higher epoch', async () => {
    const recorder = new HeaderRecorder();
    const base = await recorder.start();
    cleanups.push(() => recorder.close());
    const browsers = manager({ fenceOriginsOf: () => [base] });
    await browsers.open(accountProfile('acc-1', { epoch: 1, fenceToken: 1 }));

    const page = await browsers.newPage(accountProfile('acc-1', { epoch: 2, fenceToken: 2 }));
    await page.goto(`${base}/`);

    expect(recorder.requests.find((r) => r.path === '/')?.fence).toBe('2');
  });

  it('closes the least recently used idle context at maxLiveContexts and keeps its directory', async () => {
    const browsers = manager({ maxLiveContexts: 2 });
    const [a, b, c] = ['acc-a', 'acc-b', 'acc-c'].map((id) => accountProfile(id));
    await browsers.open(a!);
    await browsers.open(b!);
    await (await browsers.newPage(a!)).close(); // a is now the most recently used

    await browsers.open(c!);

    expect(browsers.liveCount).toBe(2);
    expect(browsers.liveAccountIds().sort()).toEqual(['acc-a', 'acc-c']);
    expect(existsSync(path.join(browsers.profileDir('acc-b'), 'Default'))).toBe(true);
    expect(browserProcessOf(browsers.profileDir('acc-b'))).toBeUndefined();
  });

  it('never closes a context that has a job page open, even when it is the least recently used', async () => {
    const browsers = manager({ maxLiveContexts: 2 });
    const [a, b, c] = ['acc-a', 'acc-b', 'acc-c'].map((id) => accountProfile(id));
    const busy = await browsers.newPage(a!);
    await (await browsers.newPage(b!)).close();

    await browsers.open(c!);

    expect(browsers.liveAccountIds().sort()).toEqual(['acc-a', 'acc-c']);
    expect(busy.isClosed()).toBe(false);
    expect(await busy.evaluate(() => 'still here')).toBe('still here');
  });

  it('keeps to maxLiveContexts when two accounts are opened at once', async () => {
    const browsers = manager({ maxLiveContexts: 2 });
    const [a, b, c, d] = ['acc-a', 'acc-b', 'acc-c', 'acc-d'].map((id) => accountProfile(id));
    await browsers.open(a!);
    await browsers.open(b!);

    await Promise.all([browsers.open(c!), browsers.open(d!)]);

    expect(browsers.liveCount).toBeLessThanOrEqual(2);
  });

  it('reopens an account closed by the live cap still signed in', async () => {
    const browsers = manager({ maxLiveContexts: 2 });
    const [a, b, c] = ['acc-a', 'acc-b', 'acc-c'].map((id) => accountProfile(id));
    const page = await browsers.newPage(a!);
    await site.signIn(page, alice);
    await page.close();
    await browsers.open(b!);
    await browsers.open(c!); // a is the least recently used: closed, directory kept
    expect(browsers.liveAccountIds()).not.toContain('acc-a');

    const reopened = await browsers.newPage(a!);

    expect(await site.signedInAs(reopened)).toBe('alice');
  });

  it('restores the stored snapshot when it reopens a profile whose directory is warm', async () => {
    const browsers = manager();
    const profile = accountProfile('acc-1');
    const page = await browsers.newPage(profile);
    await site.signIn(page, alice);
    const snapshot = await browsers.snapshot('acc-1');
    await browsers.closeContext('acc-1');

    const reopened = await browsers.newPage({ ...profile, storageState: snapshot, storageStateVersion: 1 });

    expect(await site.signedInAs(reopened)).toBe('alice');
  });

  it('notices a browser that died and opens a fresh one on the next newPage', async () => {
    const browsers = manager();
    const profile = accountProfile('acc-1');
    await browsers.open(profile);
    const dead = browserProcessOf(browsers.profileDir('acc-1'));
    expect(dead).toBeDefined();

    process.kill(dead!.pid, 'SIGKILL');
    await waitFor('the manager to notice the dead browser', () => (browsers.liveCount === 0 ? true : undefined));

    const page = await browsers.newPage(profile);
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect(browsers.liveCount).toBe(1);
    const fresh = browserProcessOf(browsers.profileDir('acc-1'));
    expect(fresh?.pid).toBeDefined();
    expect(fresh?.pid).not.toBe(dead!.pid);
  });

  it('snapshots the session cookie of a signed-in account', async () => {
    const browsers = manager();
    const page = await browsers.newPage(accountProfile('acc-1'));
    await site.signIn(page, alice);

    const snapshot = await browsers.snapshot('acc-1');

    const sid = snapshot.cookies.find((c) => c.name === 'sandbox_sid');
    expect(sid).toMatchObject({ domain: '127.0.0.1', path: '/', httpOnly: true });
    expect([...site.server.store.sessions.keys()]).toEqual([sid!.value]);
    await expect(browsers.snapshot('acc-unknown')).rejects.toMatchObject({ code: 'BROWSER_CRASHED' });
  });

  it('signs in a new profile of another account from a snapshot, without logging in again', async () => {
    const first = manager();
    const page = await first.newPage(accountProfile('acc-1'));
    await site.signIn(page, alice);
    await page.evaluate(() => window.localStorage.setItem('draft', 'hello from acc-1'));
    const snapshot: StorageState = await first.snapshot('acc-1');
    await first.close();

    const otherTemp = makeTempDir();
    cleanups.push(() => otherTemp.remove());
    const second = manager({ dataDir: otherTemp.dir });
    const restored = await second.newPage(accountProfile('acc-2', { storageState: snapshot, storageStateVersion: 1 }));

    expect(await site.signedInAs(restored)).toBe('alice');
    expect(await restored.evaluate(() => window.localStorage.getItem('draft'))).toBe('hello from acc-1');
    expect(existsSync(path.join(otherTemp.dir, 'profiles', 'acc-2', 'Default'))).toBe(true);
    expect(site.server.store.sessions.size).toBe(1);
  });

  it('reopens a profile that is still closing only once its browser is gone (one browser per directory)', async () => {
    const browsers = manager({ closeTimeoutMs: 1500 });
    const profile = accountProfile('acc-1');
    await browsers.open(profile);
    const first = browserProcessOf(browsers.profileDir('acc-1'));
    // A close that takes its time (the browser stops answering until the kill timer ends it), and
    // meanwhile a page of the same account is asked for.
    process.kill(first!.pid, 'SIGSTOP');
    const closing = browsers.closeContext('acc-1', { snapshot: false });
    const page = await browsers.newPage(profile);
    // Never two browsers on one directory: the old one was gone before the new one started.
    expect(existsSync(`/proc/${first!.pid}`)).toBe(false);
    await closing;
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    const second = browserProcessOf(browsers.profileDir('acc-1'));
    expect(second?.pid).toBeDefined();
    expect(second?.pid).not.toBe(first?.pid);
    expect(browsers.liveAccountIds()).toEqual(['acc-1']);
    await page.close();
  });

  it('relaunches a context whose settings changed: at once when idle, after its last page closes when busy', async () => {
    const browsers = manager();
    const profile = accountProfile('acc-1');
    await browsers.open(profile);
    const first = browserProcessOf(browsers.profileDir('acc-1'))!.pid;
    expect(await browsers.settingsChanged('acc-1')).toBe(true);
    expect(browsers.liveAccountIds()).toEqual([]);

    const page = await browsers.newPage(profile);
    const second = browserProcessOf(browsers.profileDir('acc-1'))!.pid;
    expect(second).not.toBe(first);
    expect(await browsers.settingsChanged('acc-1')).toBe(false);
    expect(browsers.liveAccountIds()).toEqual(['acc-1']); // busy: kept until its page closes
    await page.close();
    await waitFor('the stale context to close', () => (browsers.liveAccountIds().length === 0 ? true : undefined), 10_000);
  });

  it('closes idempotently and leaves no Chromium process behind', async () => {
    const browsers = manager();
    await browsers.open(accountProfile('acc-1'));
    await browsers.newPage(accountProfile('acc-2'));
    expect(chromiumDescendants().length).toBeGreaterThan(0);

    const first = browsers.close();
    expect(browsers.close()).toBe(first);
    await first;
    await expect(browsers.close()).resolves.toBeUndefined();

    expect(browsers.liveCount).toBe(0);
    expect(chromiumDescendants()).toEqual([]);
    expect(processesMentioning(temp.dir)).toEqual([]);
    await expect(browsers.newPage(accountProfile('acc-1'))).rejects.toBeInstanceOf(FleetError);
  });

  it('kills a browser whose graceful close hangs', async () => {
    const browsers = manager({ closeTimeoutMs: 500 });
    await browsers.open(accountProfile('acc-1'));
    const dir = browsers.profileDir('acc-1');
    const main = browserProcessOf(dir)!;
    process.kill(main.pid, 'SIGSTOP'); // the browser stops answering: close() cannot finish

    const started = Date.now();
    await browsers.closeContext('acc-1');
    expect(Date.now() - started).toBeLessThan(3000);

    await waitFor('the hung browser to be killed', () => (processesMentioning(dir).length === 0 ? true : undefined), 2500);
  });

  it('launches Chromium with the omnibox WebUI popups disabled in its one --disable-features list', async () => {
    const browsers = manager();
    await browsers.open(accountProfile('acc-1'));
    const argv = browserProcessOf(browsers.profileDir('acc-1'))!.argv;
    const lists = argv.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));

    // Chromium keeps only the last flag: it must hold ours and Playwright's own.
    const effective = lists.at(-1)!;
    expect(effective).toEqual(expect.arrayContaining(['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']));
    expect(effective).toEqual(expect.arrayContaining(lists[0]!));
    // Playwright's own list survives the merge (PaintHolding is one of its entries).
    expect(lists).toHaveLength(1);
    expect(effective).toContain('PaintHolding');
  });
});
