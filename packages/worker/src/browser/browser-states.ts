import { redactText, type AccountBrowserReport, type BrowserState } from '@fleetwright/shared';

/**
 * What each account's browser is doing on this worker, for the master and its dashboard: starting,
 * running (with the lock's fencing token) or failed. Stopped accounts are not kept. Errors are
 * redacted here: they leave the worker (a launch error may quote a proxy URL).
 */
export class BrowserStates {
  private readonly reports = new Map<string, AccountBrowserReport>();

  constructor(private readonly onChange?: (report: AccountBrowserReport) => void) {}

  set(accountId: string, state: BrowserState, details: { fenceToken?: number; error?: string } = {}): void {
    const report: AccountBrowserReport = {
      accountId,
      state,
      fenceToken: details.fenceToken ?? null,
      error: details.error === undefined ? null : redactText(details.error).slice(0, 1024),
    };
    const before = this.reports.get(accountId);
    if (state === 'stopped') this.reports.delete(accountId);
    else this.reports.set(accountId, report);
    if (before?.state === report.state && before.fenceToken === report.fenceToken && before.error === report.error) return;
    if (!before && state === 'stopped') return;
    this.onChange?.(report);
  }

  get(accountId: string): AccountBrowserReport {
    return this.reports.get(accountId) ?? { accountId, state: 'stopped', fenceToken: null, error: null };
  }

  /** Every account that is not stopped. */
  all(): AccountBrowserReport[] {
    return [...this.reports.values()];
  }
}
