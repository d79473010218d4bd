import { ClientEvent } from '@fleetwright/shared/constants';
import type { AccountBrowserView, AccountView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { act } from '../actions.js';
import { delegate } from '../render.js';
import type { Scope } from '../scope.js';

const BROWSER_ACTIONS = {
  start: { doing: 'Starting the browser', done: 'browser running', call: (ctx: AppContext, id: string) => ctx.api.accounts.startBrowser(id) },
  stop: { doing: 'Stopping the browser', done: 'browser stopped (state kept)', call: (ctx: AppContext, id: string) => ctx.api.accounts.stopBrowser(id) },
  reset: {
    doing: 'Resetting the browser',
    done: 'browser reset: reopened under a new fence',
    call: (ctx: AppContext, id: string) => ctx.api.accounts.resetBrowser(id),
  },
} satisfies Record<string, { doing: string; done: string; call: (ctx: AppContext, id: string) => Promise<AccountView> }>;

/**
 * Wires the Start / Stop / Reset buttons under `root` to the API, and calls `changed` with each account
 * whose browser changes: from an answer here, or live from `/client` (another operator, a job,
 * a crash, a worker going offline).
 */
export function followBrowsers(root: Element, ctx: AppContext, scope: Scope, changed: (accountId: string, browser: AccountBrowserView) => void): void {
  delegate<MouseEvent>(root, 'click', '[data-browser-action]', (button) => {
    const id = button.dataset.account!;
    const action = BROWSER_ACTIONS[button.dataset.browserAction as keyof typeof BROWSER_ACTIONS] ?? BROWSER_ACTIONS.stop;
    void act(
      ctx,
      button as HTMLButtonElement,
      action.doing,
      () => action.call(ctx, id),
      (account) => {
        changed(account.id, account.browser);
        return action.done;
      },
    );
  });
  scope.add(ctx.live.on(ClientEvent.AccountBrowser, (event) => changed(event.accountId, event.browser)));
}
