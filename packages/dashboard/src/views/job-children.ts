import type { JobView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { $, delegate, html, mount } from '../render.js';
import type { Scope } from '../scope.js';
import { pagerControls } from '../widgets.js';
import { followJobRows, JOB_COLUMNS, jobRow } from './job-rows.js';

const PAGE_SIZE = 25;

/** A batch's or flow's children with live progress, a page of ids at a time (a batch may hold 1000). */
export async function jobChildren(el: HTMLElement, ctx: AppContext, scope: Scope, parent: JobView): Promise<void> {
  const ids = parent.childIds ?? [];
  let page = 0;
  mount(
    el,
    html`<h2>Children (${ids.length})</h2><table class="table" data-table="children"><thead>${JOB_COLUMNS}</thead><tbody></tbody></table><div data-pager></div>`,
  );
  const tbody = $(el, 'tbody');
  const pagerEl = $(el, '[data-pager]');
  const show = async (): Promise<void> => {
    const slice = ids.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const children = await Promise.all(slice.map((id) => ctx.api.jobs.get(id)));
    if (scope.disposed) return;
    mount(tbody, html`${children.map(jobRow)}`);
    mount(
      pagerEl,
      ids.length > PAGE_SIZE ? pagerControls({ hasNewer: page > 0, hasOlder: (page + 1) * PAGE_SIZE < ids.length, pageNumber: page + 1 }) : html``,
    );
  };
  followJobRows(ctx, scope, tbody);
  delegate(el, 'click', '[data-page]', (button) => {
    page += button.dataset.page === 'older' ? 1 : -1;
    void show();
  });
  await show();
}
