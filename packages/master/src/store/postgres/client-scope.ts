import { AsyncLocalStorage } from 'node:async_hooks';
import type { Writable } from 'node:stream';
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { AfterCommit } from '../backend/after-commit.js';
import { RowShapes } from './row-shapes.js';

/** Statement texts prepared at most: each costs every connection a plan kept on the server. */
const MAX_PREPARED = 500;

/**
 * A prepared statement whose result columns a schema change altered (another master's migration,
 * in a rolling upgrade): PostgreSQL refuses to run it again on that connection.
 */
function isStalePlan(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/** The part of node-postgres's client this reaches into: its connection's socket. */
interface PgClientInternals {
  connection?: { stream?: Writable };
}

/** A transaction and the client it holds, open until its COMMIT or ROLLBACK. */
interface OpenTransaction {
  client: PoolClient;
  open: boolean;
  savepoints: number;
  afterCommit: AfterCommit;
  /**
   * Control statements (BEGIN, SAVEPOINT, RELEASE) not sent yet: they go out together, as one
   * message, just before the next statement, so none costs a round trip of its own, a savepoint
   * whose work sent nothing costs nothing, and a RELEASE goes with the next SAVEPOINT.
   */
  controls: string[];
  /**
   * Control messages written to the connection but not yet awaited: the pool's connections
   * pipeline, so they travel with the statement that follows them, and their outcome is awaited
   * with its own.
   */
  unconfirmed: Promise<unknown>[];
  /** Reads kept for the rest of the transaction (see `memo`), by key. */
  memos: Map<string, Promise<unknown>>;
}

/**
 * Runs each query where it belongs: on the client of the transaction its async context is in, or
 * on any pooled connection. A context outlives its transaction (a callback registered inside one
 * runs later in its context), so a transaction counts only while it is open; after that the
 * context's calls go to the pool like any other.
 *
 * Unlike SQLite's one connection, callers outside a transaction do not wait for it: they run on
 * other connections and see the database as it was before the transaction, never half of it.
 *
 * The pool's connections are in pipeline mode (see PostgresBackend.connect): a transaction's
 * BEGIN and its savepoints' SAVEPOINT and RELEASE are written without waiting for their answers,
 * and whatever runs next waits for them with its own answer.
 */
export class ClientScope {
  private readonly transactions = new AsyncLocalStorage<OpenTransaction>();
  /** Statement text → the name it is prepared under on every connection of the pool. */
  private readonly statementNames = new Map<string, string>();
  private readonly shapes = new RowShapes();
  private generation = 1;

  constructor(private readonly pool: Pool) {}

  /** The rows `sql` returns. */
  async rows<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.query<R>(sql, params)).rows;
  }

  /** The first row `sql` returns, if any. */
  async row<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.query<R>(sql, params)).rows[0];
  }

  /** How many rows `sql` changed. */
  async changes(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  /** Whether the caller runs inside an open transaction (where row locks last until its end). */
  inTransaction(): boolean {
    return this.current() !== undefined;
  }

  /**
   * `load()`'s answer, read once per transaction: for a read that only this master's own writes
   * change while its transaction is open (they call `forget`). Another master's commit meanwhile
   * is seen by the next transaction, as if this one had read before that commit. Outside a
   * transaction, `load()` every time.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const transaction = this.current();
    if (!transaction) return load();
    let kept = transaction.memos.get(key) as Promise<T> | undefined;
    if (!kept) {
      kept = load();
      transaction.memos.set(key, kept);
      // A failed read is not kept: the next caller reads again.
      kept.catch(() => transaction.memos.get(key) === kept && transaction.memos.delete(key));
    }
    return kept;
  }

  /** Keeps `value` under `key` for the rest of the caller's transaction, as `memo` would; outside one, nothing. */
  remember(key: string, value: unknown): void {
    this.current()?.memos.set(key, Promise.resolve(value));
  }

  /** What `memo` or `remember` keeps under `key` in the caller's transaction, if anything. */
  recall<T>(key: string): Promise<T> | undefined {
    return this.current()?.memos.get(key) as Promise<T> | undefined;
  }

  /** Drops what `memo` keeps under `key` in the caller's transaction. */
  forget(key: string): void {
    this.current()?.memos.delete(key);
  }

  /** Runs `work` in one transaction (a savepoint inside another); see FleetBackend.transaction. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.current();
    if (outer) return this.savepoint(outer, work);
    const client = await this.pool.connect();
    const transaction: OpenTransaction = {
      client,
      open: true,
      savepoints: 0,
      afterCommit: new AfterCommit(),
      controls: ['BEGIN'],
      unconfirmed: [],
      memos: new Map(),
    };
    // A connection whose BEGIN, COMMIT or ROLLBACK failed may be in any state: it is not reused.
    let broken: Error | undefined;
    // Killed while it waits between statements, the connection reports here, not to a query.
    const lost = (error: Error): void => void (broken = error);
    client.on('error', lost);
    // COMMIT and ROLLBACK end every savepoint: the RELEASEs not sent yet need not be. A transaction
    // that sent nothing (its BEGIN still unsent) has nothing to end.
    const control = async (sql: string): Promise<void> => {
      const begun = transaction.controls[0] !== 'BEGIN';
      transaction.controls = [];
      if (!begun) return;
      try {
        await this.confirmed(transaction, client.query(sql));
      } catch (error) {
        broken = error as Error;
        throw error;
      }
    };
    try {
      let result: T;
      try {
        result = await this.transactions.run(transaction, work);
      } catch (error) {
        await control('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await control('COMMIT');
      transaction.open = false;
      transaction.afterCommit.flush();
      return result;
    } finally {
      transaction.open = false;
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** See FleetBackend.afterCommit. */
  afterCommit(send: () => void): void {
    const transaction = this.current();
    if (transaction) transaction.afterCommit.add(send);
    else send();
  }

  private async query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<QueryResult<R>> {
    const transaction = this.current();
    const generation = this.generation;
    try {
      if (!transaction) return await this.shapes.runPooled<R>(this.pool, this.prepared(sql, params));
      // The control statements and this one leave in one write (node-postgres writes each query
      // with a syscall of its own; at bench:scale's load the leader's writes were a fifth of its CPU).
      const stream = transaction.controls.length > 0 ? (transaction.client as unknown as PgClientInternals).connection?.stream : undefined;
      stream?.cork();
      let answer: Promise<QueryResult<R>>;
      try {
        this.sendControls(transaction);
        answer = this.shapes.run<R>(transaction.client, this.prepared(sql, params));
      } finally {
        stream?.uncork();
      }
      return await this.confirmed(transaction, answer);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // Another master's migration changed a table under the prepared statements: every
      // connection prepares them again, under new names. Outside a transaction the statement is
      // simply run again; inside one it failed the transaction (or its savepoint), as any error does.
      if (this.generation === generation) this.forgetPrepared();
      if (transaction) throw error;
      return this.shapes.runPooled<R>(this.pool, this.prepared(sql, params));
    }
  }

  /**
   * The statement as a prepared one, named after its text: the database parses and plans it once
   * per connection rather than at every call (as much work as running it, for most of ours). At most
   * MAX_PREPARED texts get a name (a text built from a caller's filters may vary); the rest run
   * unnamed.
   */
  private prepared(text: string, values: unknown[]): QueryConfig {
    let name = this.statementNames.get(text);
    if (name === undefined && this.statementNames.size < MAX_PREPARED)
      this.statementNames.set(text, (name = `fw${this.generation}_${this.statementNames.size + 1}`));
    return { name, text, values };
  }

  private forgetPrepared(): void {
    this.generation += 1;
    this.statementNames.clear();
    this.shapes.clear();
  }

  /** Writes the control statements not sent yet, as one message, without waiting for its answer. */
  private sendControls(transaction: OpenTransaction): void {
    if (transaction.controls.length === 0) return;
    const message = transaction.controls.join('; ');
    transaction.controls = [];
    const answer = transaction.client.query(message);
    // Heard here too, so a failure is never unhandled while it waits to be confirmed.
    answer.catch(() => undefined);
    transaction.unconfirmed.push(answer);
  }

  /** `answer`, once the control statements written before it are confirmed too. */
  private async confirmed<R>(transaction: OpenTransaction, answer: Promise<R>): Promise<R> {
    if (transaction.unconfirmed.length === 0) return answer;
    const before = transaction.unconfirmed.splice(0);
    // All awaited together, so none is left rejected unheard; the first failure is the one reported.
    const outcomes = await Promise.all([...before, answer]);
    return outcomes[outcomes.length - 1] as R;
  }

  private current(): OpenTransaction | undefined {
    const transaction = this.transactions.getStore();
    return transaction?.open ? transaction : undefined;
  }

  private async savepoint<T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const name = `backend_${++transaction.savepoints}`;
    const mark = transaction.afterCommit.mark();
    const memos = new Map(transaction.memos);
    const open = `SAVEPOINT ${name}`;
    transaction.controls.push(open);
    // Still unsent when the work ends, the savepoint holds nothing: it is dropped, not ended.
    const unsent = (): boolean => {
      const at = transaction.controls.indexOf(open);
      if (at >= 0) transaction.controls.splice(at, 1);
      return at >= 0;
    };
    try {
      const result = await work();
      if (!unsent()) transaction.controls.push(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      if (!unsent()) {
        transaction.controls.push(`ROLLBACK TO SAVEPOINT ${name}`, `RELEASE SAVEPOINT ${name}`);
        this.sendControls(transaction);
        await this.confirmed(transaction, Promise.resolve(undefined));
      }
      transaction.afterCommit.undoTo(mark);
      // What the undone writes made this transaction read is undone with them.
      transaction.memos = memos;
      throw error;
    }
  }
}
