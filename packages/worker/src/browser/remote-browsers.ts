import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { FleetError, type Logger } from '@fleetwright/shared';
import { accountContextOptions as contextOptions, type ProfileLaunchInput } from './launch-options.js';

/** A context opened on a browser that runs elsewhere; `close()` gives back what was taken. */
export interface RemoteContext {
  context: BrowserContext;
  close(): Promise<void>;
}

export interface RemoteBrowserOptions {
  /** DevTools endpoint of an externally started Chromium (`http://host:9222` or `ws://...`): every account gets its own context in it. */
  cdpUrl?: string | undefined;
  /**
   * An HTTP launcher that starts a browser per profile: `POST <url>/profiles/<accountId>/start`
   * answers `{ wsEndpoint }`, `POST <url>/profiles/<accountId>/stop` ends it.
   */
  launcherUrl?: string | undefined;
  logger: Logger;
}

/**
 * Remote Chromium over CDP, for fleets whose browsers run elsewhere. Contexts here are not
 * persistent directories: the account's state lives in the master's snapshot and is restored on
 * every open, exactly as for a local profile.
 */
export class RemoteBrowsers {
  private shared: Promise<Browser> | undefined;

  constructor(private readonly options: RemoteBrowserOptions) {
    if (!options.cdpUrl && !options.launcherUrl) throw new FleetError('CONFIG_INVALID', 'RemoteBrowsers needs cdpUrl or launcherUrl');
  }

  async open(accountId: string, input: Omit<ProfileLaunchInput, 'chromiumPath' | 'headless'>): Promise<RemoteContext> {
    if (this.options.launcherUrl) return this.openFromLauncher(accountId, input);
    this.shared ??= chromium.connectOverCDP(this.options.cdpUrl!, { timeout: 30_000 }).catch((error: unknown) => {
      this.shared = undefined;
      throw new FleetError('NETWORK_ERROR', `cannot reach the remote browser at ${this.options.cdpUrl}: ${String(error)}`);
    });
    const browser = await this.shared;
    const context = await browser.newContext(contextOptions(input));
    return { context, close: () => context.close() };
  }

  private async openFromLauncher(accountId: string, input: Omit<ProfileLaunchInput, 'chromiumPath' | 'headless'>): Promise<RemoteContext> {
    const base = this.options.launcherUrl!.replace(/\/+$/, '');
    const started = await this.call(`${base}/profiles/${encodeURIComponent(accountId)}/start`);
    const wsEndpoint = (started as { wsEndpoint?: unknown }).wsEndpoint;
    if (typeof wsEndpoint !== 'string') throw new FleetError('PLATFORM_ERROR', `the browser launcher answered no wsEndpoint for ${accountId}`);
    const browser = await chromium.connectOverCDP(wsEndpoint, { timeout: 30_000 });
    const context = await browser.newContext(contextOptions(input));
    return {
      context,
      close: async () => {
        await context.close().catch(() => undefined);
        await browser.close().catch(() => undefined);
        await this.call(`${base}/profiles/${encodeURIComponent(accountId)}/stop`).catch((error: unknown) =>
          this.options.logger.warn('browser launcher stop failed', { accountId, error }),
        );
      },
    };
  }

  private async call(url: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new FleetError('NETWORK_ERROR', `browser launcher unreachable (${url}): ${String(error)}`);
    }
    if (!res.ok) throw new FleetError('PLATFORM_ERROR', `browser launcher answered ${res.status} for ${url}`);
    return res.json().catch(() => ({}));
  }

  async close(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    if (shared) await (await shared.catch(() => undefined))?.close().catch(() => undefined);
  }
}
