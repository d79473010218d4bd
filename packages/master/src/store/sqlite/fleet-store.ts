import { AccountStore } from './account-store.js';
import { STOPPED_BROWSER } from '@fleetwright/shared';
import type { BrowserStateSource } from '../backend/records.js';
import { atomically, openDatabase, type Db, type DbSynchronous } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { JobStore } from './job-store.js';
import type { JobLinks } from '../backend/job-links.js';
import { SecretBox } from '../secret-box.js';
import { WorkerStore } from './worker-store.js';
import { TokenStore } from './token-store.js';
import { MessageStore } from './message-store.js';
import { MonitorStore } from './monitor-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { refusedReportDetail } from '../backend/refused-report-detail.js';

export interface FleetStoreOptions {
  /** The admin token, stored hashed when the token table is empty. */
  adminToken?: string;
  /** SQLite's `synchronous` pragma. @defaultValue `normal` */
  synchronous?: DbSynchronous;
  /** Where job views link to (the HTTP layer's routes); without it no view may show an artifact. */
  jobLinks?: JobLinks;
  /** The live browser states account views embed. @defaultValue every browser stopped */
  browsers?: BrowserStateSource;
}

const NO_BROWSERS: BrowserStateSource = { view: () => STOPPED_BROWSER, forget: () => {} };

/** The master's SQLite store: one database, one store per table family. */
export class FleetStore {
  readonly db: Db;
  readonly accounts: AccountStore;
  readonly jobs: JobStore;
  readonly workers: WorkerStore;
  readonly tokens: TokenStore;
  readonly messages: MessageStore;
  readonly monitors: MonitorStore;
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(file: string, secretKey: Buffer, options: FleetStoreOptions = {}) {
    this.db = openDatabase(file, MIGRATIONS, options.synchronous ?? 'normal');
    this.accounts = new AccountStore(this.db, new SecretBox(secretKey), options.browsers ?? NO_BROWSERS);
    this.jobs = new JobStore(this.db, options.jobLinks);
    this.workers = new WorkerStore(this.db);
    this.tokens = new TokenStore(this.db, options.adminToken);
    this.messages = new MessageStore(this.db);
    this.monitors = new MonitorStore(this.db);
    if (file !== ':memory:') {
      this.checkpointer = new WalCheckpointer(this.db, file);
      this.checkpointer.start();
    }
  }

  /** Runs `write` in one transaction (a savepoint inside another): all of it lands, or none. */
  atomically<T>(write: () => T): T {
    return atomically(this.db, write);
  }

  /**
   * Records a refused report, cut to a few KB (see refusedReportDetail), and counts it in the
   * running totals by event and code, which outlive the retention pass that purges old reports.
   */
  recordRefusedReport(workerId: string, event: string, code: string, detail: Record<string, unknown>): void {
    atomically(this.db, () => {
      this.db
        .prepare('INSERT INTO refused_reports (at, worker_id, event, code, detail) VALUES (?, ?, ?, ?, ?)')
        .run(Date.now(), workerId, event, code, refusedReportDetail(detail));
      this.db.prepare('INSERT INTO refused_report_totals (event, code, n) VALUES (?, ?, 1) ON CONFLICT (event, code) DO UPDATE SET n = n + 1').run(event, code);
    });
  }

  /**
   * Deletes finished jobs older than `cutoff`, with their events and artifact records; a parent goes
   * only with its children. Returns how many went and the artifact files the caller removes.
   */
  purgeFinishedJobsBefore(cutoff: number): { purged: number; files: string[] } {
    const files: string[] = [];
    const purged = atomically(this.db, () => {
      // Old and finished, and neither a parent of a job that stays nor a child of a parent that stays.
      const old = `SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < @cutoff
        AND id NOT IN (SELECT parent_id FROM jobs WHERE parent_id IS NOT NULL AND (finished_at IS NULL OR finished_at >= @cutoff))
        AND (parent_id IS NULL OR parent_id NOT IN (SELECT id FROM jobs WHERE finished_at IS NULL OR finished_at >= @cutoff))`;
      for (const { path } of this.db.prepare(`SELECT path FROM artifacts WHERE job_id IN (${old})`).all({ cutoff }) as { path: string }[]) files.push(path);
      this.db.prepare(`UPDATE monitors SET last_job_id = NULL WHERE last_job_id IN (${old})`).run({ cutoff });
      // Children before parents, so no row is left pointing at a deleted parent.
      const children = this.db.prepare(`DELETE FROM jobs WHERE parent_id IS NOT NULL AND id IN (${old})`).run({ cutoff }).changes;
      return children + this.db.prepare(`DELETE FROM jobs WHERE id IN (${old})`).run({ cutoff }).changes;
    });
    return { purged, files };
  }

  /** Deletes refused reports older than `cutoff` (their totals stay). Returns how many went. */
  purgeRefusedReportsBefore(cutoff: number): number {
    return this.db.prepare('DELETE FROM refused_reports WHERE at < ?').run(cutoff).changes;
  }

  /** Refused reports ever recorded, by event and code (purged reports included). */
  refusedReportTotals(): { event: string; code: string; n: number }[] {
    return this.db.prepare('SELECT event, code, n FROM refused_report_totals').all() as { event: string; code: string; n: number }[];
  }

  /** Idempotent: the checkpoint thread stops first, so the main connection closes last (and cleans up the WAL). */
  async close(): Promise<void> {
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}
