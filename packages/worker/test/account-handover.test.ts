import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, type StorageState } from '@fleetwright/shared';
import { BrowserManager, createSandboxPlugin, type Worker } from '@fleetwright/worker';
import { accountProfile, taskAssign } from './support/accounts.js';
import { killProcesses, processesMentioning } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite } from './support/sandbox-site.js';
import { ScriptedMaster } from './support/scripted-master.js';
import { scriptedWorker } from './support/scripted-worker.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

describe('accounts that leave a worker', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let master: ScriptedMaster;
  let worker: Worker | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    master = await new ScriptedMaster().start();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await master.close();
    await site.close();
    killProcesses(processesMentioning(temp.dir));
    temp.remove();
  });

  /** A session of `handle` as another worker would have snapshotted it. */
  async function stateSignedInAs(handle: string): Promise<StorageState> {
    const user = await site.addUser(handle);
    const elsewhere = new BrowserManager({ dataDir: path.join(temp.dir, 'elsewhere'), chromiumPath: findChromium(), logger: quietLogger });
    try {
      const page = await elsewhere.newPage(accountProfile('acc-elsewhere'));
      await site.signIn(page, user);
      return await elsewhere.snapshot('acc-elsewhere');
    } finally {
      await elsewhere.close();
    }
  }

  it("sends a revoked account's last state to the master, deletes its profile, and restores the master's newer state when it returns", async () => {
    worker = scriptedWorker(master, path.join(temp.dir, 'worker'), { plugins: [createSandboxPlugin({ baseUrl: site.url })] });
    await master.registered();
    expect(await master.assign(taskAssign('acc-1', { epoch: 1 }))).toMatchObject({ ok: true });
    const page = await worker.browsers.newPage(worker.accounts.get('acc-1')!);
    await site.signIn(page, await site.addUser('alice'));
    await page.close();
    const dir = worker.browsers.profileDir('acc-1');
    expect(existsSync(path.join(dir, 'Default'))).toBe(true);

    expect(await master.revoke({ accountId: 'acc-1', epoch: 1, reason: 'account moved to another worker' })).toMatchObject({ ok: true });

    // The last state it held went to the master, under the epoch it held it at...
    const final = master.snapshots.filter((s) => s.accountId === 'acc-1' && s.epoch === 1).at(-1);
    expect(final?.storageState.cookies.some((c) => c.name === 'sandbox_sid')).toBe(true);
    // ...and nothing of the account stays here: no profile directory, no browser.
    expect(existsSync(dir)).toBe(false);
    expect(worker.browsers.liveCount).toBe(0);

    // Meanwhile another worker signed the account in as bob: the master's state is newer.
    const bob = await stateSignedInAs('bob');
    await master.assign(taskAssign('acc-1', { epoch: 3, storageState: bob, storageStateVersion: final!.version + 2 }));
    const back = await worker.browsers.newPage(worker.accounts.get('acc-1')!);

    expect(await site.signedInAs(back)).toBe('bob');
  });

  it("prefers the master's state over its own cached one when their versions are equal", async () => {
    worker = scriptedWorker(master, path.join(temp.dir, 'worker'), { plugins: [createSandboxPlugin({ baseUrl: site.url })] });
    await master.registered();
    await master.assign(taskAssign('acc-1', { epoch: 1 }));
    const page = await worker.browsers.newPage(worker.accounts.get('acc-1')!);
    await site.signIn(page, await site.addUser('alice'));
    await page.close();
    await worker.browsers.closeContext('acc-1'); // hibernated: its state is cached here and sent
    const cached = master.snapshots.filter((s) => s.accountId === 'acc-1').at(-1)!;

    // The master answers with another state at the same version (what it holds is the truth).
    const bob = await stateSignedInAs('bob');
    await master.assign(taskAssign('acc-1', { epoch: 1, storageState: bob, storageStateVersion: cached.version }));
    const back = await worker.browsers.newPage(worker.accounts.get('acc-1')!);

    expect(await site.signedInAs(back)).toBe('bob');
  });

  it('deletes, after a start, the profiles of accounts the master did not give back', async () => {
    const profiles = path.join(temp.dir, 'worker', 'profiles');
    for (const id of ['acc-gone', 'acc-1']) {
      mkdirSync(path.join(profiles, id, 'Default'), { recursive: true });
      writeFileSync(path.join(profiles, id, 'Default', 'Cookies'), 'a live session');
      writeFileSync(path.join(profiles, id, 'left-by-the-test'), id);
    }
    master.assignOnRegister = [taskAssign('acc-1')];
    worker = scriptedWorker(master, path.join(temp.dir, 'worker'), { plugins: [createSandboxPlugin({ baseUrl: site.url })], profilePruneDelayMs: 500 });
    await master.registered();

    await waitFor('the profile of the account that moved away to go', () => (existsSync(path.join(profiles, 'acc-gone')) ? undefined : true));
    // The assigned account's directory was kept all along (not deleted and made again).
    expect(existsSync(path.join(profiles, 'acc-1', 'left-by-the-test'))).toBe(true);
  });
});
