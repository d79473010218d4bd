import { LIMIT_SCOPES } from '@fleetwright/shared/constants';
import type { LimitListView, LimitView, PutLimitBody, RateLimitRule } from '@fleetwright/shared/contract';
import type { View } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { formatTime } from '../format.js';
import { $, delegate, html, mount, type SafeHtml } from '../render.js';
import { badge, emptyRow } from '../widgets.js';

const REFRESH_MS = 5000;

/** A rule in words: "10 per 60 s", "at most 2 at once", or both. */
export function describeRule(rule: RateLimitRule): string {
  const parts: string[] = [];
  if (rule.max !== undefined && rule.windowMs !== undefined) parts.push(`${rule.max} per ${formatWindow(rule.windowMs)}`);
  if (rule.concurrency !== undefined) parts.push(`at most ${rule.concurrency} at once`);
  return parts.join(', ');
}

function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function limitRow(limit: LimitView, canChange: SafeHtml): SafeHtml {
  return html`<tr data-limit-id="${limit.id}">
    <td>${badge(limit.scope)}</td>
    <td class="mono">${limit.target}</td>
    <td>${limit.jobType}</td>
    <td data-cell="rule">${describeRule(limit.rule)}</td>
    <td>${formatTime(limit.updatedAt)}</td>
    <td><button type="button" data-action="delete-limit" ${canChange}>Delete</button></td>
  </tr>`;
}

function tables(list: LimitListView, canChange: SafeHtml): { limits: SafeHtml; defaults: SafeHtml; pauses: SafeHtml } {
  return {
    limits: list.items.length ? html`${list.items.map((l) => limitRow(l, canChange))}` : emptyRow(6, 'No limit set.'),
    defaults: list.defaults.length
      ? html`${list.defaults.map((d) => html`<tr data-default-id="${d.id}"><td>${badge(d.scope)}</td><td>${d.platform}</td><td>${d.jobType}</td><td>${describeRule(d.rule)}</td></tr>`)}`
      : emptyRow(4, 'No plugin declares a default.'),
    pauses: list.pauses.length
      ? html`${list.pauses.map((p) => html`<tr data-pause="${p.scope}:${p.target}"><td>${badge(p.scope)}</td><td class="mono">${p.target}</td><td>${formatTime(p.until)}</td><td>${p.reason ?? '–'}</td></tr>`)}`
      : emptyRow(4, 'Nothing is paused.'),
  };
}

/** The body the form describes; the master validates it (and names the field it refuses). */
function formBody(data: FormData): PutLimitBody {
  const number = (name: string): number | undefined => {
    const value = String(data.get(name) ?? '').trim();
    return value === '' ? undefined : Number(value);
  };
  const rule: RateLimitRule = {};
  const max = number('max');
  const windowSeconds = number('window');
  const concurrency = number('concurrency');
  if (max !== undefined) rule.max = max;
  if (windowSeconds !== undefined) rule.windowMs = Math.round(windowSeconds * 1000);
  if (concurrency !== undefined) rule.concurrency = concurrency;
  return {
    scope: String(data.get('scope')) as PutLimitBody['scope'],
    target: String(data.get('target') ?? '').trim(),
    jobType: String(data.get('jobType') ?? '').trim(),
    rule,
  };
}

/** Rate limits and concurrency caps: the operators' (set, replace, delete), the plugins' defaults, and the platforms' pauses. */
export const limitsView: View = async (root, ctx, _route, scope) => {
  mount(
    root,
    html`<h1>Limits</h1>
      <p class="hint">A job a limit holds stays queued until it may start; its page says which limit holds it and until when.
        A job counts in a rate window from its start until a window after it ends.</p>
      <table class="table" data-table="limits">
        <thead><tr><th>Scope</th><th>Target</th><th>Job type</th><th>Rule</th><th>Set</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
      <form class="inline" data-form="limit">
        <label>Scope <select name="scope">${LIMIT_SCOPES.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
        <label>Target <input name="target" placeholder="account id, pool tag or platform" size="22" /></label>
        <label>Job type <input name="jobType" placeholder="reply" size="10" /></label>
        <label>Max <input name="max" type="number" size="5" /></label>
        <label>per <input name="window" type="number" step="any" size="5" /> s</label>
        <label>Concurrency <input name="concurrency" type="number" size="4" /></label>
        <button type="submit" ${actionAttrs(ctx)}>Set limit</button>
      </form>
      <h2>Plugin defaults</h2>
      <p class="hint">Declared by the platforms' plugins; a limit of the same scope, platform or account and job type replaces them.</p>
      <table class="table" data-table="limit-defaults"><thead><tr><th>Scope</th><th>Platform</th><th>Job type</th><th>Rule</th></tr></thead><tbody></tbody></table>
      <h2>Pauses</h2>
      <p class="hint">A platform that throttles (a 429) pauses the account, or the whole platform, until its Retry-After.</p>
      <table class="table" data-table="limit-pauses"><thead><tr><th>Scope</th><th>Target</th><th>Until</th><th>Reason</th></tr></thead><tbody></tbody></table>`,
  );
  const load = async (): Promise<void> => {
    const list = await ctx.api.limits.list();
    if (scope.disposed) return;
    const shown = tables(list, actionAttrs(ctx));
    mount($(root, '[data-table="limits"] tbody'), shown.limits);
    mount($(root, '[data-table="limit-defaults"] tbody'), shown.defaults);
    mount($(root, '[data-table="limit-pauses"] tbody'), shown.pauses);
  };
  const form = $<HTMLFormElement>(root, 'form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = formBody(new FormData(form));
    void act(
      ctx,
      $<HTMLButtonElement>(form, 'button'),
      'Setting the limit',
      () => ctx.api.limits.put(body),
      (limit) => `limit ${limit.id} set: ${describeRule(limit.rule)}`,
    ).then(() => load());
  });
  delegate<MouseEvent>(root, 'click', '[data-action="delete-limit"]', (button) => {
    const id = button.closest<HTMLElement>('tr')?.dataset.limitId;
    if (!id) return;
    void act(
      ctx,
      button as HTMLButtonElement,
      `Deleting limit ${id}`,
      () => ctx.api.limits.delete(id),
      () => `limit ${id} deleted`,
    ).then(() => load());
  });
  scope.every(REFRESH_MS, () => void load().catch(() => undefined));
  await load();
};
