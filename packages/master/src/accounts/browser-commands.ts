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
import type { FleetStore } from '../store/fleet-store.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';

/**
 * Start (warm) and stop (hibernate) an account's browser on its owner, and take in what workers
 * report about their browsers.
 */
export class BrowserCommands {
  constructor(
    private readonly store: FleetStore,
    private readonly links: WorkerLinks,
    private readonly logger: Logger,
  ) {}

  /** Answers once the owner has done it, with the account and its new browser state. */
  async control(accountId: string, action: BrowserAction): Promise<AccountView> {
    const account = this.store.accounts.ownership(accountId, 'id');
    const owner = account.owner_worker_id;
    if (!owner) throw new FleetError('ACCOUNT_UNASSIGNED', `account ${accountId} has no worker yet, so its browser cannot ${action}`, { field: 'id' });
    const ack = await this.links.request(owner, MasterEvent.AccountBrowser, { accountId, epoch: account.epoch, action });
    if (!ack.ok) throw FleetError.fromJSON(ack.error);
    this.store.browsers.report(owner, ack.data as AccountBrowserReport);
    this.logger.info('account browser controlled', { accountId, action, workerId: owner, state: (ack.data as AccountBrowserReport).state });
    return this.store.accounts.get(accountId);
  }

  /** A worker's report of one change; only the owner at the current epoch speaks for an account. */
  reported(workerId: string, report: WorkerAccountBrowser): void {
    const account = this.store.accounts.ownership(report.accountId);
    if (account.owner_worker_id !== workerId || account.epoch !== report.epoch) {
      this.store.recordRefusedReport(workerId, WorkerEvent.AccountBrowser, 'STALE_EPOCH', {
        accountId: account.id,
        epoch: report.epoch,
        currentEpoch: account.epoch,
      });
      throw new FleetError('STALE_EPOCH', `epoch ${report.epoch} is stale for account ${account.id}`, { field: 'epoch' });
    }
    const { epoch: _epoch, ...state } = report;
    this.store.browsers.report(workerId, state);
  }
}
