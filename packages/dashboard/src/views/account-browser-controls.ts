import { ClientEvent } from '@fleetwright/shared/constants';
import type { AccountBrowserView, AccountView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { act } from '../actions.js';
import { delegate } from '../render.js';
import type { Scope } from '../scope.js';

/**
 * Wires the Start / Stop buttons under `root` to the API, and calls `changed` with each account
 * whose browser changes: from an answer here, or live from `/client` (another operator, a job,
 * a crash, a worker going offline).
 */
export function followBrowsers(root: Element, ctx: AppContext, scope: Scope, changed: (accountId: string, browser: AccountBrowserView) => void): void {
  delegate<MouseEvent>(root, 'click', '[data-browser-action]', (button) => {
    const id = button.dataset.account!;
    const start = button.dataset.browserAction === 'start';
    const run = (): Promise<AccountView> => (start ? ctx.api.accounts.startBrowser(id) : ctx.api.accounts.stopBrowser(id));
    void act(ctx, button as HTMLButtonElement, start ? 'Starting the browser' : 'Stopping the browser', run, (account) => {
      changed(account.id, account.browser);
      return start ? 'browser running' : 'browser stopped (state kept)';
    });
  });
  scope.add(ctx.live.on(ClientEvent.AccountBrowser, (event) => changed(event.accountId, event.browser)));
}
