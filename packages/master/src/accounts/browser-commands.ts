import {
  FleetError,
  MasterEvent,
  WorkerEvent,
  type AccountBrowserReport,
  type AccountView,
  type BrowserAction,
  type Logger,
  type WorkerAccountBrowser,
} from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { AccountBrowsers } from './account-browsers.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';

/**
 * Start (warm) and stop (hibernate) an account's browser on its owner, and take in what workers
 * report about their browsers.
 */
export class BrowserCommands {
  constructor(
    private readonly store: FleetBackend,
    private readonly browsers: AccountBrowsers,
    private readonly scheduler: Pick<Scheduler, 'decide'>,
    private readonly links: WorkerLinks,
    private readonly logger: Logger,
  ) {}

  /** Answers once the owner has done it, with the account and its new browser state. */
  async control(accountId: string, action: BrowserAction): Promise<AccountView> {
    const account = await this.store.accounts.ownership(accountId, 'id');
    const owner = account.owner_worker_id;
    if (!owner) throw new FleetError('ACCOUNT_UNASSIGNED', `account ${accountId} has no worker yet, so its browser cannot ${action}`, { field: 'id' });
    const ack = await this.links.request(owner, MasterEvent.AccountBrowser, { accountId, epoch: account.epoch, action });
    if (!ack.ok) throw FleetError.fromJSON(ack.error);
    this.browsers.report(owner, ack.data as AccountBrowserReport);
    this.logger.info('account browser controlled', { accountId, action, workerId: owner, state: (ack.data as AccountBrowserReport).state });
    return this.store.accounts.get(accountId);
  }

  /** A worker's report of one change; only the owner at the current epoch speaks for an account. */
  async reported(workerId: string, report: WorkerAccountBrowser): Promise<void> {
    const account = await this.store.accounts.ownership(report.accountId);
    if (account.owner_worker_id !== workerId || account.epoch !== report.epoch) {
      const detail = { accountId: account.id, epoch: report.epoch, currentEpoch: account.epoch };
      await this.scheduler.decide(() => this.store.recordRefusedReport(workerId, WorkerEvent.AccountBrowser, 'STALE_EPOCH', detail));
      throw new FleetError('STALE_EPOCH', `epoch ${report.epoch} is stale for account ${account.id}`, { field: 'epoch' });
    }
    const { epoch: _epoch, ...state } = report;
    this.browsers.report(workerId, state);
  }
}
