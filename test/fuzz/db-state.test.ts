/**
 * The fuzzer's partial-write check: it must see a row that another connection (the master) changed,
 * and must not blame a request for what the scheduler moves on its own.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbState } from './harness/db-state.mjs';
import { makeTempDir } from '../support/temp-dir.js';

describe('DbState (the partial-write check of the fuzzer)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let writer: Database.Database;
  let state: DbState;

  beforeEach(() => {
    temp = makeTempDir('fleet-dbstate-');
    writer = new Database(`${temp.dir}/master.db`);
    writer.pragma('journal_mode = WAL');
    writer.exec(
      'CREATE TABLE jobs (seq INTEGER PRIMARY KEY, id TEXT, payload TEXT, status TEXT, monitor_id TEXT); CREATE TABLE refused_reports (seq INTEGER PRIMARY KEY, detail TEXT)',
    );
    writer.prepare("INSERT INTO jobs (id, payload, status) VALUES ('j1', '{}', 'queued')").run();
    state = new DbState(`${temp.dir}/master.db`);
    state.open();
  });

  afterEach(() => {
    state.close();
    writer.close();
    temp.remove();
  });

  it('names the table, row and columns another connection changed or added', () => {
    const before = state.snapshot();
    writer.prepare("UPDATE jobs SET payload = '{\"a\":1}' WHERE id = 'j1'").run();
    writer.prepare("INSERT INTO jobs (id, payload, status) VALUES ('j2', '{}', 'queued')").run();
    const changes = DbState.changes(before, state.snapshot());
    expect(changes).toEqual([
      { table: 'jobs', rowid: 1, columns: { payload: { before: '"{}"', after: '"{\\"a\\":1}"' } } },
      { table: 'jobs', rowid: 2, before: undefined, after: expect.stringContaining('"id":"j2"') },
    ]);
  });

  it('leaves out what the scheduler moves (a status), monitor jobs and the record of refusals', () => {
    const before = state.snapshot();
    writer.prepare("UPDATE jobs SET status = 'dispatched' WHERE id = 'j1'").run();
    writer.prepare("INSERT INTO jobs (id, payload, status, monitor_id) VALUES ('m1', '{}', 'queued', 'mon-1')").run();
    writer.prepare("INSERT INTO refused_reports (detail) VALUES ('{}')").run();
    expect(DbState.changes(before, state.snapshot())).toEqual([]);
  });

  it('does not read the tables again while the master has committed nothing', () => {
    const first = state.snapshot();
    expect(state.snapshot()).toBe(first);
  });
});
