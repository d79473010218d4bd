import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './database.js';
import { AfterCommit } from '../backend/after-commit.js';

/**
 * Shares one SQLite connection between async callers. A call runs at once, synchronously, unless a
 * transaction holds the connection: then it waits for the transaction's end, since on one
 * connection its statements would otherwise become part of that transaction. The transaction's own
 * calls are told apart by their async context and run at once. A context outlives its transaction
 * (a callback registered inside one runs later in its context), so it names the transaction it was
 * made for, and counts only while that transaction is open.
 */
export class ConnectionGate {
  private readonly inTransaction = new AsyncLocalStorage<AfterCommit>();
  /** The open transaction (what it sends once committed), if any. */
  private open: AfterCommit | undefined;
  /** Who waits for the connection, in arrival order. */
  private readonly waiting: (() => void)[] = [];
  private held = false;
  /** How deep the open savepoints nest: names repeat by depth, so their statements are prepared once. */
  private depth = 0;

  constructor(private readonly db: Db) {}

  /** Runs `call` on the connection as soon as it is free (at once when it is). */
  run<T>(call: () => T): Promise<T> {
    if (!this.held || this.insideOpenTransaction()) {
      try {
        return Promise.resolve(call());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.acquire().then(() => {
      try {
        return call();
      } finally {
        this.release();
      }
    });
  }

  /** Runs `work` in one transaction (a savepoint inside another); see FleetBackend.transaction. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.openTransaction();
    // Not an async function: a decision's savepoint is taken once per decision, and each wrapping promise counts.
    return outer ? this.savepoint(outer, work) : this.transactionOfItsOwn(work);
  }

  private async transactionOfItsOwn<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    const transaction = new AfterCommit();
    const result = await this.commit(transaction, work);
    transaction.flush();
    return result;
  }

  /** See FleetBackend.afterCommit. */
  afterCommit(send: () => void): void {
    const transaction = this.openTransaction();
    if (transaction) transaction.add(send);
    else send();
  }

  /** Runs `work` in `transaction` on the acquired connection, and frees the connection. */
  private async commit<T>(transaction: AfterCommit, work: () => Promise<T>): Promise<T> {
    try {
      this.db.prepare('BEGIN IMMEDIATE').run();
      this.open = transaction;
      let result: T;
      try {
        result = await this.inTransaction.run(transaction, work);
      } catch (error) {
        this.db.prepare('ROLLBACK').run();
        throw error;
      }
      this.db.prepare('COMMIT').run();
      return result;
    } finally {
      if (this.open === transaction) this.open = undefined;
      this.release();
    }
  }

  private insideOpenTransaction(): boolean {
    return this.openTransaction() !== undefined;
  }

  private openTransaction(): AfterCommit | undefined {
    const transaction = this.inTransaction.getStore();
    return transaction !== undefined && transaction === this.open ? transaction : undefined;
  }

  private async savepoint<T>(transaction: AfterCommit, work: () => Promise<T>): Promise<T> {
    const name = `backend_${++this.depth}`;
    try {
      const mark = transaction.mark();
      this.db.prepare(`SAVEPOINT ${name}`).run();
      try {
        const result = await work();
        this.db.prepare(`RELEASE ${name}`).run();
        return result;
      } catch (error) {
        this.db.prepare(`ROLLBACK TO ${name}`).run();
        this.db.prepare(`RELEASE ${name}`).run();
        transaction.undoTo(mark);
        throw error;
      }
    } finally {
      this.depth -= 1;
    }
  }

  private acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the connection to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}
