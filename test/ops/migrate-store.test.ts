import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterFixture } from '../../packages/master/test/support/master-fixture.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { errorLines, runCli } from './cli-runner.js';

const PG_PASSWORD = 'pg-pass-never-shown-7';

describe('fleet migrate-store: a stopped SQLite master moved to PostgreSQL from the command line', () => {
  let cluster: PostgresCluster;
  let fx: MasterFixture;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
    fx = await MasterFixture.start();
  });
  afterAll(async () => {
    await fx?.close();
    await cluster?.stop();
  });

  it('refuses while the master runs, then copies with the data dir’s key, prints counts and the env line with the password masked, and refuses a second run', async () => {
    const { name } = await cluster.createDatabase();
    // Trust auth: the server ignores the password, the command must still keep it off the terminal.
    const target = `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${cluster.port}/${name}`;
    const account = await fx.createAccount({ platform: 'sandbox', label: 'frank', credentials: { username: 'frank', password: 'pw-frank-1' } });
    await fx.createJob({ type: 'crawl', accountId: account.id });
    const env = { FLEET_SECRET_KEY: '', FLEET_DATA_DIR: '' };
    const args = ['migrate-store', '--to', target, '--data-dir', fx.dataDir];

    const running = await runCli(args, { ...env, FLEET_SECRET_KEY: fx.secretKey.toString('hex') });
    expect(running.code).toBe(1);
    expect(errorLines(running.stderr).at(-1)).toMatch(/^fleet: refused: .*master\.db is in use by another process: stop the master on this data dir first$/);

    await fx.stopMaster();
    const noKey = await runCli(args, env);
    expect(noKey.code).toBe(78);
    expect(errorLines(noKey.stderr)).toEqual([
      `fleet: no secret key: set FLEET_SECRET_KEY to the key the master runs with, or keep its ${path.join(fx.dataDir, 'secrets.json')}`,
    ]);
    const noTarget = await runCli(['migrate-store', '--data-dir', fx.dataDir], env);
    expect(noTarget.code).toBe(64);
    expect(errorLines(noTarget.stderr)[0]).toMatch(/^fleet: --to is missing/);
    const wrongScheme = await runCli(['migrate-store', '--to', 'mysql://db/fleet', '--data-dir', fx.dataDir], env);
    expect(errorLines(wrongScheme.stderr)).toEqual(['fleet: --to must be a postgres:// URL naming a host (postgres://user:password@host:5432/database)']);
    const unreachable = await runCli(['migrate-store', '--to', `postgres://postgres:${PG_PASSWORD}@127.0.0.1:1/none`, '--data-dir', fx.dataDir], {
      ...env,
      FLEET_SECRET_KEY: fx.secretKey.toString('hex'),
    });
    expect(unreachable.code).toBe(69);
    expect(errorLines(unreachable.stderr)[1]).toMatch(
      /^fleet: cannot reach or log in to PostgreSQL at postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:1\/none \(--to\)/,
    );
    expect(unreachable.stderr).not.toContain(PG_PASSWORD);

    // The key as the master would find it without FLEET_SECRET_KEY: in the data dir's secrets.json.
    writeFileSync(path.join(fx.dataDir, 'secrets.json'), JSON.stringify({ secretKey: fx.secretKey.toString('hex') }), { mode: 0o600 });
    const copied = await runCli(args, env);
    expect(copied.code).toBe(0);
    const out = copied.stdout.trim().split('\n');
    expect(out).toContainEqual(expect.stringMatching(/^accounts +1$/));
    expect(out).toContainEqual(expect.stringMatching(/^jobs +1$/));
    expect(out).toContainEqual(expect.stringMatching(/^total +\d+ rows in \d+\.\d s$/));
    expect(out.at(-1)).toBe(`FLEET_DATABASE_URL=postgres://postgres:****@127.0.0.1:${cluster.port}/${name}`);
    const notes = errorLines(copied.stderr);
    expect(notes).toContainEqual(expect.stringMatching(/^copied jobs: 1\/1 rows, \d+\.\d % of all \d+$/));
    expect(notes.at(-1)).toContain(`Artifact files stay in ${path.join(fx.dataDir, 'artifacts')}`);
    expect(copied.stdout + copied.stderr).not.toContain(PG_PASSWORD);
    const client = new pg.Client({ connectionString: cluster.url(name) });
    await client.connect();
    try {
      expect((await client.query('SELECT label FROM accounts')).rows).toEqual([{ label: 'frank' }]);
    } finally {
      await client.end();
    }

    const again = await runCli(args, env);
    expect(again.code).toBe(1);
    expect(errorLines(again.stderr).at(-1)).toMatch(/^fleet: refused: the target database is not empty: .*accounts has 1 row.*; name an empty database$/);
  });
});
