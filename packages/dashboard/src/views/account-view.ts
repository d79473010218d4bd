import { ClientEvent } from '@fleetwright/shared/constants';
import type { AccountView } from '@fleetwright/shared/contract';
import type { View } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { formatTime } from '../format.js';
import { $, html, mount } from '../render.js';
import { href, navigate } from '../router.js';
import { emptyRow } from '../widgets.js';
import { browserButtons, browserState, pauseNote, placement, stepBadges, tagList } from './account-cells.js';
import { followBrowsers } from './account-browser-controls.js';
import { accountLivePanel } from './account-live-panel.js';
import { accountLoginPanel } from './account-login-panel.js';
import { accountMonitorsPanel } from './account-monitors-panel.js';
import { followJobRows, JOB_COLUMNS, jobRow } from './job-rows.js';

function details(a: AccountView, canChange: boolean): ReturnType<typeof html> {
  return html`<dl class="fields">
    <dt>Platform</dt><dd data-field="platform">${a.platform}${pauseNote(a)}</dd>
    <dt>Tags</dt><dd>${tagList(a.tags)}</dd>
    <dt>Username</dt><dd>${a.credentials?.username ?? '–'}</dd>
    <dt>Password</dt><dd>${a.credentials ? a.credentials.password : '–'}</dd>
    <dt>Proxy</dt><dd>${a.proxy ?? '–'}</dd>
    <dt>Owner worker</dt><dd data-field="owner">${placement(a)}</dd>
    <dt>Browser</dt><dd data-field="browser">${browserState(a)} ${browserButtons(a, canChange)}</dd>
    <dt>Device</dt><dd>${a.deviceProfile ? `${a.deviceProfile.viewport.width}×${a.deviceProfile.viewport.height}, ${a.deviceProfile.locale}, ${a.deviceProfile.timezoneId}` : '–'}</dd>
    <dt>Status fields</dt><dd data-field="steps">${stepBadges(a)}</dd>
    <dt>Created</dt><dd>${formatTime(a.createdAt)}</dd>
  </dl>`;
}

/** One account: its fields (secrets masked), login with live QR, monitors, and its latest jobs. */
export const accountView: View = async (root, ctx, route, scope) => {
  const id = route.segments[1]!;
  let account = await ctx.api.accounts.get(id);
  mount(
    root,
    html`<h1>${account.label ?? account.id} <span class="sub mono">${account.id}</span></h1>
      <div class="toolbar">
        <a class="button" href="${href('accounts', id, 'edit')}">Edit</a>
        <button type="button" data-action="delete" ${actionAttrs(ctx)}>Delete</button>
      </div>
      <div class="columns">
        <section class="card" data-panel="details"></section>
        <section class="card" data-panel="login"></section>
      </div>
      <section class="card" data-panel="live"></section>
      <section class="card" data-panel="monitors"></section>
      <section class="card"><h2>Latest jobs</h2>
        <table class="table" data-table="jobs"><thead>${JOB_COLUMNS}</thead><tbody></tbody></table>
        <p><a href="${href('jobs', { accountId: id })}">All jobs of this account</a></p>
      </section>`,
  );
  const detailsEl = $(root, '[data-panel="details"]');
  const jobsEl = $(root, '[data-table="jobs"] tbody');
  const showDetails = (): void => mount(detailsEl, html`<h2>Details</h2>${details(account, ctx.canChange)}`);
  const loadJobs = async (): Promise<void> => {
    const { items } = await ctx.api.jobs.list({ accountId: id, limit: 10 });
    if (!scope.disposed) mount(jobsEl, items.length ? html`${items.map(jobRow)}` : emptyRow(8, 'No jobs yet.'));
  };
  const refresh = scope.throttle(500, () => {
    void ctx.api.accounts.get(id).then(
      (a) => {
        account = a;
        if (!scope.disposed) showDetails();
      },
      () => undefined,
    );
    void loadJobs().catch(() => undefined);
  });
  followJobRows(ctx, scope, jobsEl, (e) => e.accountId === id && refresh());
  scope.add(ctx.live.on(ClientEvent.JobDone, (job) => job.accountId === id && refresh()));
  followBrowsers(detailsEl, ctx, scope, (accountId, browser) => {
    if (accountId === id && !scope.disposed) {
      account = { ...account, browser };
      showDetails();
    }
  });
  $(root, '[data-action="delete"]').addEventListener('click', (event) => {
    if (!confirm(`Delete account ${account.label ?? id}? Its jobs are cancelled; their history stays.`)) return;
    void act(
      ctx,
      event.currentTarget as HTMLButtonElement,
      'Deleting the account',
      () => ctx.api.accounts.delete(id).then(() => true),
      () => 'account deleted',
    ).then((deleted) => deleted && navigate(href('accounts')));
  });
  showDetails();
  accountLivePanel($(root, '[data-panel="live"]'), ctx, scope, account);
  await Promise.all([
    accountLoginPanel($(root, '[data-panel="login"]'), ctx, scope, account),
    accountMonitorsPanel($(root, '[data-panel="monitors"]'), ctx, scope, account),
    loadJobs(),
  ]);
};
