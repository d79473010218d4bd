import { STOPPED_BROWSER, type AccountBrowserReport, type AccountBrowserView, type HeartbeatBrowserReport } from '@fleetwright/shared';

interface Entry {
  workerId: string;
  report: AccountBrowserReport;
  updatedAt: number;
}

type Listener = (accountId: string, view: AccountBrowserView) => void;

/**
 * Each account's browser as its worker last reported it. Kept in memory, not in SQLite: it is a
 * live reading, and after a master restart the workers' next heartbeats (which list every browser
 * that is not stopped) rebuild it.
 */
export class AccountBrowsers {
  private readonly entries = new Map<string, Entry>();
  /**
   * The accounts each worker has an entry for: a heartbeat (each worker's, every 10 s) walks its
   * own 20 accounts, not every entry of the fleet (20,000 at bench:scale's size, where walking
   * them all took 6 % of the leader's core).
   */
  private readonly byWorker = new Map<string, Set<string>>();
  private readonly listeners: Listener[] = [];
  /** Changes applied so far; each account's last one is stamped with the count (see `stamp`). */
  private changes = 0;
  private readonly changedAt = new Map<string, number>();

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  view(accountId: string): AccountBrowserView {
    const entry = this.entries.get(accountId);
    if (!entry) return STOPPED_BROWSER;
    const { state, fenceToken, error } = entry.report;
    return {
      state,
      workerId: entry.workerId,
      lockHolder: state === 'running' && fenceToken !== null ? { workerId: entry.workerId, fenceToken } : null,
      error,
      updatedAt: new Date(entry.updatedAt).toISOString(),
    };
  }

  /** One change, as the worker sends it when it happens. */
  report(workerId: string, report: AccountBrowserReport): void {
    const before = this.entries.get(report.accountId);
    if (report.state === 'stopped') {
      // Only the reporter's own entry: another worker may have opened the account since.
      if (!before || before.workerId !== workerId) return;
      this.delete(report.accountId);
    } else {
      if (before && before.workerId === workerId && sameReport(before.report, report)) return;
      this.set(report.accountId, { workerId, report: { ...report }, updatedAt: Date.now() });
    }
    this.changedAt.set(report.accountId, ++this.changes);
    this.announce(report.accountId);
  }

  /**
   * Where the readings stand now. A heartbeat's list, taken by its worker before it sent it, is
   * applied once the heartbeat is written (`replaceWorker`); what changed after its arrival (a
   * report of one change) is newer than the list and stays.
   */
  stamp(): number {
    return this.changes;
  }

  /**
   * A heartbeat's full list: the worker's accounts not in it are stopped there. Only entries for
   * accounts the worker owns (`owned`, read as its heartbeat was written; at the current epoch,
   * when the entry names one) are applied, so a worker cannot paint another's account as running,
   * or with a fence of its own; the rest count as not listed.
   */
  replaceWorker(workerId: string, reports: HeartbeatBrowserReport[], ownedNow: readonly { id: string; epoch: number }[], since = this.changes): void {
    const epochs = new Map(ownedNow.map((account) => [account.id, account.epoch]));
    const owned = reports.filter((r) => epochs.has(r.accountId) && (r.epoch === undefined || r.epoch === epochs.get(r.accountId)));
    this.applyWorker(workerId, owned, since);
  }

  /** The worker went offline: its browsers are gone as far as the fleet can tell. */
  workerGone(workerId: string): void {
    this.applyWorker(workerId, []);
  }

  /** Applies a worker's full list; an account changed after `since` keeps its newer reading. */
  private applyWorker(workerId: string, owned: HeartbeatBrowserReport[], since = this.changes): void {
    const newer = (accountId: string): boolean => (this.changedAt.get(accountId) ?? 0) > since;
    const listed = new Set(owned.map((r) => r.accountId));
    for (const accountId of [...(this.byWorker.get(workerId) ?? [])]) {
      if (!listed.has(accountId) && !newer(accountId)) this.report(workerId, { accountId, state: 'stopped', fenceToken: null, error: null });
    }
    for (const { epoch: _epoch, ...report } of owned) if (!newer(report.accountId)) this.report(workerId, report);
  }

  /** Every browser not stopped, as its views: what another master mirrors (see BrowserMirror). */
  views(): [accountId: string, view: AccountBrowserView][] {
    return [...this.entries.keys()].map((accountId) => [accountId, this.view(accountId)]);
  }

  /**
   * Takes the leader's reading of an account's browser as this master's own, without announcing
   * it: the leader's announcement already reached every client.
   */
  mirror(accountId: string, view: AccountBrowserView): void {
    if (view.state === 'stopped' || view.workerId === null) {
      this.delete(accountId);
      return;
    }
    const report = { accountId, state: view.state, fenceToken: view.lockHolder?.fenceToken ?? null, error: view.error };
    this.set(accountId, { workerId: view.workerId, report, updatedAt: view.updatedAt ? Date.parse(view.updatedAt) : Date.now() });
  }

  /** Forgets every reading without announcing: the workers' next heartbeats rebuild them. */
  clear(): void {
    this.entries.clear();
    this.byWorker.clear();
  }

  forget(accountId: string): void {
    this.changedAt.delete(accountId);
    if (this.delete(accountId)) this.announce(accountId);
  }

  private set(accountId: string, entry: Entry): void {
    this.delete(accountId);
    this.entries.set(accountId, entry);
    let accounts = this.byWorker.get(entry.workerId);
    if (!accounts) this.byWorker.set(entry.workerId, (accounts = new Set()));
    accounts.add(accountId);
  }

  private delete(accountId: string): boolean {
    const entry = this.entries.get(accountId);
    if (!entry) return false;
    this.entries.delete(accountId);
    const accounts = this.byWorker.get(entry.workerId);
    accounts?.delete(accountId);
    if (accounts?.size === 0) this.byWorker.delete(entry.workerId);
    return true;
  }

  private announce(accountId: string): void {
    const view = this.view(accountId);
    for (const listener of this.listeners) listener(accountId, view);
  }
}

function sameReport(a: AccountBrowserReport, b: AccountBrowserReport): boolean {
  return a.state === b.state && a.fenceToken === b.fenceToken && a.error === b.error;
}
