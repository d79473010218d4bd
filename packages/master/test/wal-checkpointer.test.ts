import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetStore } from '@fleetwright/master';
import { waitUntil } from './support/wait-until.js';

describe('the WAL checkpoint thread', () => {
  let dir: string;
  let store: FleetStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-wal-test-'));
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file while the master connection only commits', async () => {
    const file = path.join(dir, 'master.db');
    store = new FleetStore(file, randomBytes(32));
    const before = statSync(file).size;
    const insert = store.db.prepare("INSERT INTO refused_reports (at, worker_id, event, code, detail) VALUES (1, 'w', 'e', 'c', ?)");
    // ~2 MB: far below the main connection's own auto-checkpoint, so only the thread moves it.
    store.db.transaction(() => {
      for (let i = 0; i < 2000; i += 1) insert.run('x'.repeat(1000));
    })();
    await waitUntil('the database file to hold the committed pages', () => (statSync(file).size > before + 1_000_000 ? true : undefined), 30_000);
  });

  it('stops with the store, idempotently, leaving the file whole for the next open', async () => {
    const file = path.join(dir, 'master.db');
    const first = new FleetStore(file, randomBytes(32));
    first.recordRefusedReport('w', 'e', 'c', { n: 1 });
    await Promise.all([first.close(), first.close()]);
    expect(first.db.open).toBe(false);
    store = new FleetStore(file, randomBytes(32));
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM refused_reports').get() as { n: number }).n).toBe(1);
  });
});

describe('FLEET_DB_SYNCHRONOUS', () => {
  it('opens master.db with synchronous NORMAL by default and FULL when asked', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-sync-test-'));
    try {
      for (const [mode, expected] of [
        [undefined, 1],
        ['full', 2],
        ['normal', 1],
      ] as const) {
        const store = new FleetStore(path.join(dir, `${mode ?? 'default'}.db`), randomBytes(32), { synchronous: mode });
        expect(store.db.pragma('synchronous', { simple: true }), String(mode)).toBe(expected);
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
