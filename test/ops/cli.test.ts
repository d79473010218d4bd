import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterEvent } from '@fleetwright/shared';
import { MasterFixture } from '../../packages/master/test/support/master-fixture.js';
import type { SimulatedWorker } from '../../packages/master/test/support/simulated-worker.js';
import { freePort } from '../support/free-port.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { errorLines, runCli, startCli, type CliProcess } from './cli-runner.js';

describe('the fleet CLI against a real master', () => {
  let fixture: MasterFixture;
  let worker: SimulatedWorker;
  let env: Record<string, string>;
  const temp = makeTempDir('fleet-cli-');
  const running: CliProcess[] = [];

  beforeEach(async () => {
    fixture = await MasterFixture.start();
    worker = await fixture.worker('w1').start();
    // FLEET_DATA_DIR points away from any real data/secrets.json, so only the env token counts.
    env = { FLEET_API_URL: fixture.url, FLEET_API_TOKEN: fixture.apiToken, FLEET_DATA_DIR: temp.dir };
  });
  afterEach(async () => {
    for (const cli of running.splice(0)) cli.kill();
    await fixture.close();
  });
  afterAll(() => temp.remove());

  const file = (name: string, text: string): string => {
    const target = path.join(temp.dir, name);
    writeFileSync(target, text, { mode: 0o600 });
    return target;
  };

  it('adds an account with its password from stdin or a file, never from argv, and the worker gets the real one', async () => {
    const added = await runCli(
      ['accounts', 'add', '--platform', 'sandbox', '--label', 'cli:alice', '--tag', 'cli', '--username', 'alice', '--password-stdin'],
      env,
      'pw-from-stdin-1\n',
    );
    expect(added.code).toBe(0);
    const id = added.stdout.trim();
    const view = (await fixture.api('GET', `/accounts/${id}`)).body;
    expect(view).toMatchObject({ label: 'cli:alice', tags: ['cli'], credentials: { username: 'alice', password: '********' } });
    expect((await worker.waitForAssign(id)).credentials).toEqual({ username: 'alice', password: 'pw-from-stdin-1' });

    const fromFiles = await runCli(
      [
        'accounts',
        'add',
        '--platform',
        'sandbox',
        '--label',
        'cli:bob',
        '--username',
        'bob',
        '--password-file',
        file('bob.pw', 'pw-from-file-2\n'),
        '--proxy-file',
        file('bob.proxy', 'http://pu:proxy-pw-3@127.0.0.1:8899\n'),
      ],
      env,
    );
    expect(fromFiles.code).toBe(0);
    const bob = await worker.waitForAssign(fromFiles.stdout.trim());
    expect(bob).toMatchObject({ credentials: { username: 'bob', password: 'pw-from-file-2' }, proxy: 'http://pu:proxy-pw-3@127.0.0.1:8899' });

    const onArgv = await runCli(['accounts', 'add', '--platform', 'sandbox', '--username', 'eve', '--password', 'leaked'], env);
    expect(onArgv.code).toBe(64);
    expect(errorLines(onArgv.stderr)).toEqual(['fleet: --password would show the secret in the process list; use --password-file <file> or --password-stdin']);
    const proxyOnArgv = await runCli(['accounts', 'add', '--platform', 'sandbox', '--proxy', 'http://u:leaked@127.0.0.1:1'], env);
    expect(proxyOnArgv.code).toBe(64);
    expect(errorLines(proxyOnArgv.stderr)[0]).toContain('--proxy-file');
    expect((await fixture.api('GET', '/accounts')).body.items).toHaveLength(2);
  });

  it('imports accounts from CSV and JSON, refuses a file with one bad entry whole, and skips accounts already there', async () => {
    const csv = file(
      'accounts.csv',
      'platform,label,tags,username,password,proxy\nsandbox,"team a, alice",pool-a;cli,alice,"pw,with,commas",\nsandbox,team a bob,pool-a,bob,pw-bob,http://u:p@127.0.0.1:3128\n',
    );
    const first = await runCli(['accounts', 'import', csv], env);
    expect(first.code).toBe(0);
    expect(errorLines(first.stderr)).toEqual(['imported 2 accounts']);
    const listed = await runCli(['accounts', 'list', '--json'], env);
    const accounts = JSON.parse(listed.stdout) as { id: string; label: string; tags: string[]; credentials: { username: string; password: string } }[];
    expect(accounts.map((a) => [a.label, a.tags, a.credentials.password])).toEqual([
      ['team a, alice', ['pool-a', 'cli'], '********'],
      ['team a bob', ['pool-a'], '********'],
    ]);
    const alice = accounts[0]!;
    expect((await worker.waitForAssign(alice.id)).credentials).toEqual({ username: 'alice', password: 'pw,with,commas' });

    const again = await runCli(['accounts', 'import', csv], env);
    expect(again.code).toBe(0);
    expect(errorLines(again.stderr)).toEqual(['imported 0 accounts; skipped 2 already there: team a, alice, team a bob']);

    const json = file('more.json', JSON.stringify([{ platform: 'sandbox', label: 'ok one' }, { label: 'no platform' }]));
    const bad = await runCli(['accounts', 'import', json], env);
    expect(bad.code).toBe(1);
    expect(errorLines(bad.stderr)).toEqual([expect.stringMatching(/^fleet: VALIDATION_FAILED: item 2: platform: /)]);
    expect((await fixture.api('GET', '/accounts')).body.items).toHaveLength(2);

    const fromStdin = await runCli(
      ['accounts', 'import', '-', '--format', 'json'],
      env,
      JSON.stringify({ accounts: [{ platform: 'sandbox', label: 'piped', credentials: { username: 'p', password: 'pw-piped' } }] }),
    );
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/\tpiped\n$/);
  });

  it('jobs add --watch draws progress bars from job:progress and ends with the job, zero only when it succeeded', async () => {
    const account = await fixture.createAccount({ platform: 'sandbox', label: 'watched' });
    await worker.waitForAssign(account.id);
    const cli = startCli(['jobs', 'add', 'crawl', '--account', 'watched', '--payload', '{"limit":5}', '--watch'], env);
    running.push(cli);
    const run = await worker.waitForRun(0, 15_000);
    expect(run.payload).toEqual({ limit: 5 });
    // The watch has drawn its first bar (so it listens) before the worker reports anything.
    await waitFor('the first bar', () => (/ crawl +\[/.test(cli.stdout) ? true : undefined), 10_000);
    await worker.progress(run, 30, 'open_inbox');
    await waitFor('the 30% bar', () => (cli.stdout.includes('30% running · open_inbox') ? true : undefined), 10_000);
    await worker.progress(run, 70, 'read_comments');
    await waitFor('the 70% bar', () => (cli.stdout.includes('70% running · read_comments') ? true : undefined), 10_000);
    await worker.succeed(run, { comments: [] });
    const result = await cli.exited;
    expect(result.code).toBe(0);
    const bars = result.stdout.trim().split('\n');
    expect(bars[0]).toMatch(/^[0-9a-f]{8} crawl +\[-{24}\] +0% (queued|dispatched|running)/);
    expect(bars.at(-1)).toMatch(/\[#{24}\] 100% succeeded · done$/);
    const percents = bars.map((line) => Number(/\] +(\d+)%/.exec(line)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents).toContain(30);
    expect(percents).toContain(70);
    expect(errorLines(result.stderr).at(-1)).toMatch(new RegExp(`^job ${run.jobId} succeeded in \\d+\\.\\d s$`));

    const failing = await fixture.createJob({ type: 'login', accountId: account.id, maxAttempts: 1 });
    const watcher = startCli(['jobs', 'watch', failing.id, '--timeout', '30'], env);
    running.push(watcher);
    await worker.fail(await worker.waitForRun(1, 15_000), { code: 'AUTH_FAILED', message: 'wrong password' });
    const failed = await watcher.exited;
    expect(failed.code).toBe(1);
    expect(errorLines(failed.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^job ${failing.id} failed in \\d+\\.\\d s: AUTH_FAILED: wrong password$`)),
      'fleet: 1 of 1 job(s) did not succeed',
    ]);
  });

  it('lists and cancels jobs, lists and drains workers, and creates and revokes tokens that the master then honours', async () => {
    const account = await fixture.createAccount({ platform: 'sandbox', label: 'ops' });
    await worker.waitForAssign(account.id);
    const later = await runCli(['jobs', 'add', 'crawl', '--account', account.id, '--run-after', new Date(Date.now() + 3_600_000).toISOString()], env);
    expect(later.code).toBe(0);
    const jobId = later.stdout.trim();
    const listed = await runCli(['jobs', 'list', '--status', 'queued'], env);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID +TYPE +ACCOUNT +STATUS/);
    expect(listed.stdout).toContain(jobId);
    const cancelled = await runCli(['jobs', 'cancel', jobId], env);
    expect(cancelled.code).toBe(0);
    expect((await fixture.job(jobId)).status).toBe('cancelled');

    const workers = await runCli(['workers', 'list'], env);
    expect(workers.stdout).toMatch(/^w1 +online +sim-host +1\/10/m);
    const drained = await runCli(['workers', 'drain', 'w1', '--reason', 'maintenance'], env);
    expect(drained.code).toBe(0);
    await waitFor('the drain to reach the worker', () => (worker.drains.length > 0 ? true : undefined), 5_000);
    expect(worker.drains).toEqual([{ reason: 'maintenance' }]);

    const created = await runCli(['tokens', 'create', 'dashboard-wall', '--role', 'viewer'], env);
    expect(created.code).toBe(0);
    const viewerToken = created.stdout.trim();
    expect(viewerToken).toMatch(/^fwt_/);
    const tokenId = /token ([0-9a-f-]{36})/.exec(created.stderr)![1]!;
    const asViewer = { ...env, FLEET_API_TOKEN: viewerToken };
    expect((await runCli(['jobs', 'list'], asViewer)).code).toBe(0);
    const refused = await runCli(['jobs', 'add', 'crawl', '--account', account.id], asViewer);
    expect(refused.code).toBe(77);
    expect(errorLines(refused.stderr)).toEqual(['fleet: FORBIDDEN: a viewer token cannot change anything']);
    expect((await runCli(['tokens', 'revoke', tokenId], env)).code).toBe(0);
    const revoked = await runCli(['workers', 'list'], asViewer);
    expect(revoked.code).toBe(77);
    expect(errorLines(revoked.stderr)).toEqual([expect.stringMatching(/^fleet: UNAUTHORIZED: /)]);
  });

  it("starts and stops an account's browser through its worker, and says why when it cannot", async () => {
    const account = await fixture.createAccount({ platform: 'sandbox', label: 'browser' });
    const assign = await worker.waitForAssign(account.id);
    const commands: unknown[] = [];
    worker.socket.on(MasterEvent.AccountBrowser, (command, ack) => {
      commands.push(command);
      if (command.action === 'stop') ack({ ok: false, error: { code: 'ACCOUNT_BUSY', message: `account ${command.accountId} has a job running` } });
      else ack({ ok: true, data: { accountId: command.accountId, state: 'running', fenceToken: 5, error: null } });
    });
    const started = await runCli(['accounts', 'start', account.id], env);
    expect(started.code).toBe(0);
    expect(errorLines(started.stderr)).toEqual([`account ${account.id}: browser running on w1 (lock fence 5)`]);
    expect(commands).toEqual([{ accountId: account.id, epoch: assign.epoch, action: 'start' }]);
    expect((await runCli(['accounts', 'list'], env)).stdout).toMatch(new RegExp(`^${account.id} .* running +not_started`, 'm'));
    const busy = await runCli(['accounts', 'stop', account.id], env);
    expect(busy.code).toBe(1);
    expect(errorLines(busy.stderr)).toEqual([`fleet: ACCOUNT_BUSY: account ${account.id} has a job running`]);
    const usage = await runCli(['accounts', 'stop'], env);
    expect(usage.code).toBe(64);
    const reset = await runCli(['accounts', 'reset', account.id], env);
    expect(reset.code).toBe(0);
    expect(commands.at(-1)).toEqual({ accountId: account.id, epoch: assign.epoch, action: 'reset' });
  });

  it("revokes a worker's credential: the worker is cut off and its credential refused from then on", async () => {
    const enrolled = await fetch(`${fixture.url}/api/v1/worker/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'w2' }),
    });
    const { credential } = (await enrolled.json()) as { credential: string };
    const w2 = await fixture.worker('w2', { token: credential }).start();
    const revoked = await runCli(['workers', 'revoke', 'w2'], env);
    expect(revoked.code).toBe(0);
    expect(errorLines(revoked.stderr)).toEqual(['worker w2: credential revoked and disconnected']);
    await waitFor('w2 to be cut off', () => (w2.socket.connected ? undefined : true), 5_000);
    const unknown = await runCli(['workers', 'revoke', 'w2'], env);
    expect(unknown.code).not.toBe(0);
  });

  it('says what went wrong in one line with a non-zero exit: unknown ids, a missing token, an unreachable master', async () => {
    const unknown = await runCli(['jobs', 'cancel', 'no-such-job'], env);
    expect(unknown.code).toBe(1);
    expect(errorLines(unknown.stderr)).toEqual([expect.stringMatching(/^fleet: JOB_NOT_FOUND: .*no-such-job/)]);
    const noToken = await runCli(['workers', 'list'], { ...env, FLEET_API_TOKEN: '' });
    expect(noToken.code).toBe(77);
    expect(errorLines(noToken.stderr)).toEqual([expect.stringMatching(/^fleet: no API token: set FLEET_API_TOKEN/)]);
    const closedPort = await freePort();
    const unreachable = await runCli(['workers', 'list'], { ...env, FLEET_API_URL: `http://127.0.0.1:${closedPort}` });
    expect(unreachable.code).toBe(69);
    expect(errorLines(unreachable.stderr)).toEqual([`fleet: cannot reach the master at http://127.0.0.1:${closedPort}: ECONNREFUSED (set FLEET_API_URL)`]);
    const usage = await runCli(['jobs', 'add'], env);
    expect(usage.code).toBe(64);
    expect(errorLines(usage.stderr)).toHaveLength(1);
  });
});
