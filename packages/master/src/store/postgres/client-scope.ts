import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { AfterCommit } from '../backend/after-commit.js';

/** A transaction and the client it holds, open until its COMMIT or ROLLBACK. */
interface OpenTransaction {
  client: PoolClient;
  open: boolean;
  savepoints: number;
  afterCommit: AfterCommit;
}

/**
 * Runs each query where it belongs: on the client of the transaction its async context is in, or
 * on any pooled connection. A context outlives its transaction (a callback registered inside one
 * runs later in its context), so a transaction counts only while it is open; after that the
 * context's calls go to the pool like any other.
 *
 * Unlike SQLite's one connection, callers outside a transaction do not wait for it: they run on
 * other connections and see the database as it was before the transaction, never half of it.
 */
export class ClientScope {
  private readonly transactions = new AsyncLocalStorage<OpenTransaction>();

  constructor(private readonly pool: Pool) {}

  /** The rows `sql` returns. */
  async rows<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.executor().query<R>(sql, params)).rows;
  }

  /** The first row `sql` returns, if any. */
  async row<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.executor().query<R>(sql, params)).rows[0];
  }

  /** How many rows `sql` changed. */
  async changes(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.executor().query(sql, params)).rowCount ?? 0;
  }

  /** Whether the caller runs inside an open transaction (where row locks last until its end). */
  inTransaction(): boolean {
    return this.current() !== undefined;
  }

  /** Runs `work` in one transaction (a savepoint inside another); see FleetBackend.transaction. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.current();
    if (outer) return this.savepoint(outer, work);
    const client = await this.pool.connect();
    const transaction: OpenTransaction = { client, open: true, savepoints: 0, afterCommit: new AfterCommit() };
    // A connection whose BEGIN, COMMIT or ROLLBACK failed may be in any state: it is not reused.
    let broken: Error | undefined;
    // Killed while it waits between statements, the connection reports here, not to a query.
    const lost = (error: Error): void => void (broken = error);
    client.on('error', lost);
    const control = async (sql: string): Promise<void> => {
      try {
        await client.query(sql);
      } catch (error) {
        broken = error as Error;
        throw error;
      }
    };
    try {
      await control('BEGIN');
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

  private current(): OpenTransaction | undefined {
    const transaction = this.transactions.getStore();
    return transaction?.open ? transaction : undefined;
  }

  private executor(): Pool | PoolClient {
    return this.current()?.client ?? this.pool;
  }

  private async savepoint<T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const name = `backend_${++transaction.savepoints}`;
    const mark = transaction.afterCommit.mark();
    await transaction.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await transaction.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await transaction.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await transaction.client.query(`RELEASE SAVEPOINT ${name}`);
      transaction.afterCommit.undoTo(mark);
      throw error;
    }
  }
}
