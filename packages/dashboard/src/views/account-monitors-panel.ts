import type { AccountView, MonitorView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { formatTime, shortId } from '../format.js';
import { $, delegate, html, mount } from '../render.js';
import { href } from '../router.js';
import type { Scope } from '../scope.js';
import { badge, emptyRow } from '../widgets.js';

function row(ctx: AppContext, m: MonitorView): ReturnType<typeof html> {
  return html`<tr data-monitor-id="${m.id}">
    <td>${m.type}</td>
    <td>${Math.round(m.minIntervalMs / 1000)}–${Math.round(m.maxIntervalMs / 1000)} s</td>
    <td>${badge(m.paused ? 'paused' : 'active')}</td>
    <td>${m.paused ? '–' : formatTime(m.nextRunAt)}</td>
    <td>${m.runs}</td>
    <td>${m.lastJobId ? html`<a class="mono" href="${href('jobs', m.lastJobId)}">${shortId(m.lastJobId)}</a>` : '–'}</td>
    <td><button type="button" data-monitor-action="${m.paused ? 'resume' : 'pause'}" ${actionAttrs(ctx)}>${m.paused ? 'Resume' : 'Pause'}</button></td>
  </tr>`;
}

/** Recurring jobs (crawls every 15–30 s with jitter, by default) of one account: start, pause, resume. */
export async function accountMonitorsPanel(el: HTMLElement, ctx: AppContext, scope: Scope, account: AccountView): Promise<void> {
  mount(
    el,
    html`<h2>Monitors</h2>
      <table class="table" data-table="monitors"><thead><tr><th>Job type</th><th>Every</th><th>State</th><th>Next run</th><th>Runs</th><th>Last job</th><th></th></tr></thead><tbody></tbody></table>
      <form class="inline" data-form="monitor">
        <label>Job type <input name="type" value="crawl" size="10" /></label>
        <label>every <input name="min" type="number" min="1" value="15" size="4" /></label>
        <label>to <input name="max" type="number" min="1" value="30" size="4" /> s</label>
        <button type="submit" ${actionAttrs(ctx)}>Start monitor</button>
      </form>`,
  );
  const tbody = $(el, 'tbody');
  const load = async (): Promise<void> => {
    const { items } = await ctx.api.monitors.list({ accountId: account.id, limit: 100 });
    if (!scope.disposed) mount(tbody, items.length ? html`${items.map((m) => row(ctx, m))}` : emptyRow(7, 'No monitor on this account.'));
  };
  delegate(el, 'click', '[data-monitor-action]', (button) => {
    const id = button.closest<HTMLElement>('tr')?.dataset.monitorId;
    if (!id) return;
    const resume = button.dataset.monitorAction === 'resume';
    void act(ctx, button as HTMLButtonElement, resume ? 'Resuming the monitor' : 'Pausing the monitor', () =>
      resume ? ctx.api.monitors.resume(id) : ctx.api.monitors.pause(id),
    ).then(() => load());
  });
  const form = $<HTMLFormElement>(el, 'form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      accountId: account.id,
      type: String(data.get('type') || 'crawl'),
      minIntervalMs: Number(data.get('min')) * 1000,
      maxIntervalMs: Number(data.get('max')) * 1000,
    };
    void act(
      ctx,
      $<HTMLButtonElement>(form, 'button'),
      'Starting the monitor',
      () => ctx.api.monitors.create(body),
      () => 'monitor started',
    ).then(() => load());
  });
  scope.every(10_000, () => void load().catch(() => undefined));
  await load();
}
