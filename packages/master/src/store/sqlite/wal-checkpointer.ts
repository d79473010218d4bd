import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

export interface WalCheckpointerOptions {
  /** How often the thread checkpoints. @defaultValue 200 */
  intervalMs?: number;
  /**
   * The main connection's own auto-checkpoint (in pages) while the thread runs: a backstop should
   * the thread fall behind. @defaultValue 10000
   */
  backstopPages?: number;
}

/**
 * Copies the WAL back into the database file on a thread of its own. By default SQLite does that
 * on the connection that commits, every 1,000 pages, with an fsync of the WAL and of the database
 * file: on the master's one busy thread that was a stall now and then, and most of the tail of
 * bench:dispatch's paced latency. If the thread fails, the main connection checkpoints itself again.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private closing: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly backstopPages: number;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    options: WalCheckpointerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 200;
    this.backstopPages = options.backstopPages ?? 10_000;
  }

  start(): void {
    if (this.worker || this.closing) return;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./wal-checkpoint-thread.js', import.meta.url), { workerData: { file: this.file, intervalMs: this.intervalMs } });
    } catch {
      return; // no thread (e.g. the script is missing from a bundle): SQLite's own auto-checkpoint stays on
    }
    this.worker = worker;
    worker.unref();
    worker.on('error', () => this.fallBack());
    worker.on('exit', () => this.fallBack());
    this.db.pragma(`wal_autocheckpoint = ${this.backstopPages}`);
  }

  /** Idempotent: stops the thread (which closes its connection) and waits until it has exited. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage('close');
    await exited;
  }

  /** The thread is gone: the main connection goes back to SQLite's default auto-checkpoint. */
  private fallBack(): void {
    this.worker = undefined;
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }
}
