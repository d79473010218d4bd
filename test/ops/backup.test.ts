import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from '../../packages/master/test/support/master-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';
import { errorLines, runCli } from './cli-runner.js';

describe('fleet backup: an online copy of master.db', () => {
  let fixture: MasterFixture | undefined;
  const temp = makeTempDir('fleet-backup-');
  afterEach(async () => {
    await fixture?.close();
    temp.remove();
  });

  it('copies a running master’s database, writes still in its WAL included, into a file that passes its integrity check', async () => {
    fixture = await MasterFixture.start();
    await fixture.worker('w1').start();
    for (const label of ['a', 'b', 'c']) await fixture.createAccount({ platform: 'sandbox', label });
    // The master keeps running while the backup is taken, its recent commits still in the WAL.
    expect(statSync(`${fixture.dbFile}-wal`).size).toBeGreaterThan(0);
    const target = path.join(temp.dir, 'master-backup.db');
    const result = await runCli(['backup', target, '--data-dir', fixture.dataDir], {});
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(target);
    expect(errorLines(result.stderr)[0]).toMatch(/secrets\.json \(or FLEET_SECRET_KEY\)/);
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((copy.prepare('SELECT label FROM accounts ORDER BY seq').all() as { label: string }[]).map((r) => r.label)).toEqual(['a', 'b', 'c']);
    } finally {
      copy.close();
    }
    const again = await runCli(['backup', target, '--data-dir', fixture.dataDir], {});
    expect(again.code).toBe(64);
    expect(errorLines(again.stderr)).toEqual([`fleet: ${target} exists; name a new file`]);
  });
});
