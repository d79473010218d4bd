import { JOB_STATUSES } from '@fleetwright/shared/constants';
import type { JobStatus, JobView } from '@fleetwright/shared/contract';
import type { View } from '../app-context.js';
import { CursorPager } from '../cursor-pager.js';
import { $, delegate, html, mount } from '../render.js';
import { href, navigate } from '../router.js';
import { emptyRow, pagerControls } from '../widgets.js';
import { followJobRows, JOB_COLUMNS, jobRow } from './job-rows.js';
import { newJobForm } from './new-job-form.js';

const PAGE_SIZE = 50;

/** Jobs, newest first, filtered by status, type and account on the server, one page at a time. */
export const jobsView: View = async (root, ctx, route, scope) => {
  const status = (JOB_STATUSES as readonly string[]).includes(route.query.get('status') ?? '') ? (route.query.get('status') as JobStatus) : undefined;
  const type = route.query.get('type') ?? '';
  const accountId = route.query.get('accountId') ?? '';
  mount(
    root,
    html`<h1>Jobs</h1>
      <form class="toolbar filters" data-form="filters">
        <label>Status <select name="status"><option value="">any</option>${JOB_STATUSES.map((s) => html`<option ${s === status ? html`selected` : ''}>${s}</option>`)}</select></label>
        <label>Type <input name="type" value="${type}" size="12" /></label>
        <label>Account <input name="accountId" value="${accountId}" size="24" /></label>
        <button type="submit">Filter</button>
        <a href="${href('jobs')}">Clear</a>
      </form>
      <div data-new-job></div>
      <table class="table" data-table="jobs"><thead>${JOB_COLUMNS}</thead><tbody></tbody></table>
      <div data-pager></div>`,
  );
  newJobForm($(root, '[data-new-job]'), ctx, accountId ? { accountId } : {});
  const tbody = $(root, 'tbody');
  const pagerEl = $(root, '[data-pager]');
  const filter = { ...(status ? { status } : {}), ...(type ? { type } : {}), ...(accountId ? { accountId } : {}) };
  const pager = new CursorPager<JobView>((cursor) => ctx.api.jobs.list({ ...filter, limit: PAGE_SIZE, cursor }));
  const show = (): void => {
    if (scope.disposed) return;
    mount(tbody, pager.items.length ? html`${pager.items.map(jobRow)}` : emptyRow(8, 'No jobs match.'));
    mount(pagerEl, pagerControls(pager));
  };
  // A job not on screen changed: on the first page it may be a new one that belongs at the top.
  const reload = scope.throttle(1000, () => void pager.reload().then(show, () => undefined));
  followJobRows(ctx, scope, tbody, (event) => {
    if (pager.onFirstPage && (!accountId || event.accountId === accountId) && (!status || event.status === status)) reload();
  });
  delegate(root, 'click', '[data-page]', (button) => {
    void (button.dataset.page === 'older' ? pager.older() : pager.newer()).then(show);
  });
  $<HTMLFormElement>(root, '[data-form="filters"]').addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const get = (k: string): string | undefined => String(data.get(k) ?? '').trim() || undefined;
    navigate(href('jobs', { status: get('status'), type: get('type'), accountId: get('accountId') }));
  });
  await pager.reload();
  show();
};
