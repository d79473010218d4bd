import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets } from '@fleetwright/master';
import { MasterFixture } from './support/master-fixture.js';

const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe('the master keeps its files to its own user', () => {
  let fx: MasterFixture | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    fx = undefined;
    dir = undefined;
  });

  it('makes master.db and its -wal and -shm 0600', async () => {
    fx = await MasterFixture.start();
    await fx.createAccount();
    for (const file of [fx.dbFile, `${fx.dbFile}-wal`, `${fx.dbFile}-shm`]) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(file), file).toBe(0o600);
    }
    expect(modeOf(fx.dataDir)).toBe(0o700);
  });

  it('writes secrets.json 0600 in a 0700 data dir', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-secrets-'));
    const dataDir = path.join(dir, 'data');
    loadOrCreateSecrets({ dataDir, secretKey: undefined, workerToken: undefined, apiToken: undefined });
    expect(modeOf(path.join(dataDir, 'secrets.json'))).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o700);
  });
});
