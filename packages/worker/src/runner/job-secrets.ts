import type { BrowserContext } from 'playwright-core';
import { redactText, type StorageState } from '@fleetwright/shared';
import type { AssignedAccount } from './account-registry.js';
import { accountSecrets, sessionSecrets, storageStateSecrets } from './account-secrets.js';
import { SecretScrubber } from './secret-scrubber.js';

/** A hung browser must not hold up what the job reports: a read past this is given up. */
const READ_TIMEOUT_MS = 5000;

/** A promise's value, or `fallback` once `ms` have passed or it fails. */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([promise.catch(() => fallback), expired]).finally(() => clearTimeout(timer));
}

/**
 * One job's view of its account's secrets, for scrubbing what leaves the worker: what the master
 * assigned (credentials, proxy password, stored session), plus the session the job itself comes
 * to hold (a login sets a cookie no one has registered), read from the account's context.
 */
export class JobSecrets {
  /** The account's values known so far; the trace scrubber and run.log use it directly. */
  readonly scrubber: SecretScrubber;
  private context: BrowserContext | undefined;
  private reading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(account: Pick<AssignedAccount, 'credentials' | 'proxy' | 'storageState'>) {
    this.scrubber = new SecretScrubber(accountSecrets(account));
  }

  /** The context the job's pages live in: its cookies are read from now on. */
  watch(context: BrowserContext): void {
    this.context ??= context;
  }

  addStorageState(state: StorageState | null | undefined): void {
    this.scrubber.add(storageStateSecrets(state));
  }

  /**
   * Resolves once the context's cookies, read after this call, are known: a value the plugin saw
   * before it called is then scrubbed. Callers that ask while a read runs share one more read.
   */
  refresh(): Promise<void> {
    const context = this.context;
    if (!context) return Promise.resolve();
    if (!this.reading) {
      this.reading = within(context.cookies(), READ_TIMEOUT_MS, [])
        .then((cookies) => this.scrubber.add(sessionSecrets(cookies.map((cookie) => cookie.value))))
        .finally(() => (this.reading = undefined));
      return this.reading;
    }
    this.queued ??= this.reading.then(() => {
      this.queued = undefined;
      return this.refresh();
    });
    return this.queued;
  }

  /**
   * The last read: the job has ended (its handler returned or threw), so nothing it reports from
   * now on can quote a newer value, and later `refresh()` calls cost nothing.
   */
  async settle(): Promise<void> {
    await this.refresh();
    this.context = undefined;
  }

  /** Free text (a message, a log line): the process-wide redactor, then this account's values. */
  text(text: string): string {
    return this.scrubber.text(redactText(text));
  }

  /** A JSON-bound value (a result, an event), scrubbed deep; see `SecretScrubber.value`. */
  value<T>(value: T): T {
    return this.scrubber.value(value) as T;
  }
}
