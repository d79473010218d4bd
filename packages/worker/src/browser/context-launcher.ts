import type { BrowserContext } from 'playwright-core';
import type { StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';

/** A context a launcher opened for one account, and how to end it. */
export interface LaunchedContext {
  readonly context: BrowserContext;
  /**
   * The Chromium whose process tree holds this context (for its memory and for the kill after a
   * hung close); undefined when the browser runs elsewhere.
   */
  readonly browserPid: number | undefined;
  /** Other accounts' contexts live in the same browser: a crash of it reopens them all. */
  readonly sharesBrowser: boolean;
  /**
   * Closing the context's last page would drop its session cookies (a persistent context does), so
   * one blank page must stay open between jobs. A context of a shared browser keeps them without.
   */
  readonly needsKeepAlivePage: boolean;
  /** The account's state as the master stores it. */
  snapshot(): Promise<StorageState>;
  /** Graceful close. */
  close(): Promise<void>;
  /** After a close that hung: ends whatever of it is left, and only that. */
  kill(): Promise<void>;
}

/**
 * Opens accounts' contexts on some kind of browser: a persistent Chromium per account, contexts of
 * a shared local Chromium, or a remote one over CDP. The browser manager decides when; a launcher
 * only knows how.
 */
export interface ContextLauncher {
  /** Ends what a dead predecessor left on this worker's browsers. Idempotent. */
  start(): Promise<void>;
  /** A context with the account's device profile and proxy, `state` restored in it. */
  open(profile: AccountProfile, state: StorageState | null): Promise<LaunchedContext>;
  /** Leaves no browser of this launcher behind. */
  close(): Promise<void>;
}
