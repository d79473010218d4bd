import type { CreateJobBody } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { $, html, mount } from '../render.js';
import { href, navigate } from '../router.js';

/** A job for one account or a pool, with a JSON payload; the master validates it against the plugin's schema. */
export function newJobForm(el: HTMLElement, ctx: AppContext, defaults: { accountId?: string } = {}): void {
  mount(
    el,
    html`<details class="card">
      <summary>New job</summary>
      <form class="form" data-form="new-job">
        <label>Type <input name="type" required placeholder="login, crawl, reply, …" /></label>
        <label>Account id <input name="accountId" value="${defaults.accountId ?? ''}" /></label>
        <label>or pool (tag) <input name="pool" /></label>
        <label>Payload (JSON) <textarea name="payload" rows="3">{}</textarea></label>
        <button type="submit" ${actionAttrs(ctx)}>Queue job</button>
      </form>
    </details>`,
  );
  const form = $<HTMLFormElement>(el, 'form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = (name: string): string => String(data.get(name) ?? '').trim();
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(text('payload') || '{}') as Record<string, unknown>;
    } catch {
      ctx.toast('the payload is not valid JSON', 'error');
      return;
    }
    const body: CreateJobBody = {
      type: text('type'),
      payload,
      ...(text('accountId') ? { accountId: text('accountId') } : {}),
      ...(text('pool') ? { pool: text('pool') } : {}),
    };
    void act(ctx, $<HTMLButtonElement>(form, 'button'), 'Queueing the job', () => ctx.api.jobs.create(body)).then(
      (job) => job && navigate(href('jobs', job.id)),
    );
  });
}
