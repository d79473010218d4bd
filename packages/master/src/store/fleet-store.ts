import { AccountStore } from './account-store.js';
import { AccountBrowsers } from './account-browsers.js';
import { LiveLogs } from './live-logs.js';
import { atomically, openDatabase, type Db, type DbSynchronous } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { JobStore, type JobLinks } from './job-store.js';
import { SecretBox } from './secret-box.js';
import { WorkerStore } from './worker-store.js';
import { TokenStore } from './token-store.js';
import { MessageStore } from './message-store.js';
import { TurnBatch } from './turn-batch.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { refusedReportDetail } from './refused-report-detail.js';

/** The master's SQLite store: one database, one store per table family. */
export class FleetStore {
  readonly db: Db;
  readonly accounts: AccountStore;
  /** Live browser states from the workers' reports (memory only). */
  readonly browsers = new AccountBrowsers((accountId) => this.accounts.ownershipOf(accountId));
  /** Running jobs' run.log lines as they stream in (memory only). */
  readonly liveLogs = new LiveLogs();
  readonly jobs: JobStore;
  readonly workers: WorkerStore;
  readonly tokens: TokenStore;
  readonly messages: MessageStore;
  /** Writes of one event-loop turn share a transaction (see TurnBatch). */
  readonly batch: TurnBatch;
  private readonly checkpointer: WalCheckpointer | undefined;

  /** `jobLinks`: where job views link to (the HTTP layer's routes); without it no view may show an artifact. */
  constructor(file: string, secretKey: Buffer, adminToken?: string, synchronous: DbSynchronous = 'normal', jobLinks?: JobLinks) {
    this.db = openDatabase(file, MIGRATIONS, synchronous);
    this.accounts = new AccountStore(this.db, new SecretBox(secretKey), this.browsers);
    this.jobs = new JobStore(this.db, jobLinks);
    this.workers = new WorkerStore(this.db);
    this.tokens = new TokenStore(this.db, adminToken);
    this.messages = new MessageStore(this.db);
    this.batch = new TurnBatch(this.db);
    if (file !== ':memory:') {
      this.checkpointer = new WalCheckpointer(this.db, file);
      this.checkpointer.start();
    }
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
