import { ClientEvent } from '@fleetwright/shared/constants';
import type { AccountView } from '@fleetwright/shared/contract';
import type { View } from '../app-context.js';
import { CursorPager } from '../cursor-pager.js';
import { $, delegate, html, mount } from '../render.js';
import { href, navigate } from '../router.js';
import { emptyRow, pagerControls } from '../widgets.js';
import { accountName, browserButtons, browserState, pauseNote, placement, stepBadges, tagList } from './account-cells.js';
import { followBrowsers } from './account-browser-controls.js';

const PAGE_SIZE = 50;

/** Accounts, one server page at a time (the fleet may hold tens of thousands). */
export const accountsView: View = async (root, ctx, _route, scope) => {
  mount(
    root,
    html`<h1>Accounts</h1>
      <div class="toolbar">
        <a class="button" href="${href('accounts', 'new')}" ${ctx.canChange ? '' : html`aria-disabled="true" data-viewer-disabled title="viewers cannot change anything"`}>New account</a>
        <form class="inline" data-form="go-to"><input name="id" placeholder="account id" aria-label="account id" /><button type="submit">Open</button></form>
      </div>
      <table class="table" data-table="accounts">
        <thead><tr><th>Account</th><th>Platform</th><th>Tags</th><th>Owner worker / session</th><th>Browser</th><th>Status fields</th></tr></thead>
        <tbody></tbody>
      </table>
      <div data-pager></div>`,
  );
  const tbody = $(root, 'tbody');
  const pagerEl = $(root, '[data-pager]');
  const pager = new CursorPager<AccountView>((cursor) => ctx.api.accounts.list({ limit: PAGE_SIZE, cursor }));
  const show = (): void => {
    if (scope.disposed) return;
    mount(
      tbody,
      pager.items.length === 0
        ? emptyRow(6, 'No accounts yet.')
        : html`${pager.items.map(
            (a) =>
              html`<tr data-account-id="${a.id}"><td>${accountName(a)}</td><td>${a.platform}${pauseNote(a)}</td><td>${tagList(a.tags)}</td><td>${placement(a)}</td><td data-field="browser">${browserState(a)} ${browserButtons(a, ctx.canChange)}</td><td>${stepBadges(a)}</td></tr>`,
          )}`,
    );
    mount(pagerEl, pagerControls(pager));
  };
  const reload = scope.throttle(1000, () => void pager.reload().then(show, () => undefined));
  // Step statuses change when jobs finish: refresh the page only when it shows that account.
  const onJob = (accountId: string | null): void => {
    if (accountId && pager.items.some((a) => a.id === accountId)) reload();
  };
  scope.add(ctx.live.on(ClientEvent.JobDone, (job) => onJob(job.accountId)));
  scope.add(ctx.live.on(ClientEvent.LoginStatus, (e) => onJob(e.accountId)));
  // Browser states change live (starts, stops, crashes): patch the account in place when it is shown.
  followBrowsers(root, ctx, scope, (accountId, browser) => {
    const account = pager.items.find((a) => a.id === accountId);
    if (account) {
      account.browser = browser;
      show();
    }
  });
  delegate(root, 'click', '[data-page]', (button) => {
    void (button.dataset.page === 'older' ? pager.older() : pager.newer()).then(show);
  });
  delegate(root, 'click', '[data-viewer-disabled]', (_el, event) => event.preventDefault());
  $<HTMLFormElement>(root, '[data-form="go-to"]').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = (new FormData(event.target as HTMLFormElement).get('id') as string).trim();
    if (id) navigate(href('accounts', id));
  });
  await pager.reload();
  show();
};
