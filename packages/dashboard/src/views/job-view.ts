import { ClientEvent } from '@fleetwright/shared/constants';
import type { JobView } from '@fleetwright/shared/contract';
import type { AppContext, View } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { formatTime } from '../format.js';
import { $, html, mount, type SafeHtml } from '../render.js';
import { href, navigate } from '../router.js';
import { badge, progressBar, updateBadge, updateProgressBar } from '../widgets.js';
import { jobChildren } from './job-children.js';
import { artifacts, RunLogPanel, timeline } from './job-evidence.js';

const ACTIVE = new Set(['queued', 'dispatched', 'running']);

function json(value: unknown): SafeHtml {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}

function summary(job: JobView): SafeHtml {
  return html`<dl class="fields">
    <dt>Account / pool</dt><dd>${job.accountId ? html`<a class="mono" href="${href('accounts', job.accountId)}">${job.accountId}</a>` : job.pool ? html`pool ${job.pool}` : '–'}</dd>
    <dt>Worker</dt><dd>${job.workerId ?? '–'}${job.epoch !== null ? html` <span class="sub">epoch ${job.epoch}</span>` : ''}</dd>
    <dt>Attempt</dt><dd>${job.attempt} of ${job.maxAttempts}</dd>
    <dt>Priority</dt><dd>${job.priority}</dd>
    ${job.heldBy ? html`<dt>Held by</dt><dd data-field="held-by"><a class="mono" href="${href('limits')}">${job.heldBy.limit}</a> <span class="sub">${job.heldBy.until ? `until ${formatTime(job.heldBy.until)}` : 'until a job under it ends'}</span></dd>` : ''}
    ${job.parentId ? html`<dt>Parent</dt><dd><a class="mono" href="${href('jobs', job.parentId)}">${job.parentId}</a></dd>` : ''}
    ${job.monitorId ? html`<dt>Monitor</dt><dd class="mono">${job.monitorId}</dd>` : ''}
    <dt>Created</dt><dd>${formatTime(job.createdAt)}</dd>
    <dt>Started</dt><dd>${formatTime(job.startedAt)}</dd>
    <dt>Finished</dt><dd>${formatTime(job.finishedAt)}</dd>
    ${job.error ? html`<dt>Error</dt><dd class="error-text" data-field="error"><strong>${job.error.code}</strong> <span class="tag" data-error-class="${job.error.errorClass}">${job.error.errorClass}</span> ${job.error.message}</dd>` : ''}
  </dl>`;
}

/** "Retry" makes the same job again (a new id): the finished one keeps its history. */
function retry(ctx: AppContext, button: HTMLButtonElement, job: JobView): void {
  const body = {
    type: job.type,
    payload: job.payload,
    priority: job.priority,
    maxAttempts: job.maxAttempts,
    ...(job.accountId ? { accountId: job.accountId } : { pool: job.pool ?? '' }),
  };
  void act(
    ctx,
    button,
    'Retrying the job',
    () => ctx.api.jobs.create(body),
    (j) => `queued again as ${j.id}`,
  ).then((j) => j && navigate(href('jobs', j.id)));
}

/** One job: live progress, timeline, run.log tail, screenshots, trace, children; cancel and retry. */
export const jobView: View = async (root, ctx, route, scope) => {
  const id = route.segments[1]!;
  let job = await ctx.api.jobs.get(id);
  const isParent = job.childIds !== undefined;
  mount(
    root,
    html`<h1>${job.type} job <span class="mono sub">${job.id}</span> <span data-job-status>${badge(job.status)}</span></h1>
      <div data-job-progress>${progressBar(job.status, job.progress)}</div>
      <div class="toolbar" data-actions></div>
      <div class="columns">
        <section class="card" data-panel="summary"></section>
        <section class="card"><h2>Payload</h2>${json(job.payload)}<h2>Result</h2><div data-panel="result"></div></section>
      </div>
      ${isParent ? html`<section class="card" data-panel="children"></section>` : ''}
      <section class="card"><h2>Timeline</h2><div data-panel="timeline"></div></section>
      <section class="card"><h2>run.log</h2><div data-panel="log"></div></section>
      <section class="card"><h2>Files</h2><div data-panel="artifacts"></div></section>`,
  );
  const actions = $(root, '[data-actions]');
  const showJob = (): void => {
    mount($(root, '[data-panel="summary"]'), summary(job));
    mount($(root, '[data-panel="result"]'), job.result === null ? html`<p class="empty">–</p>` : json(job.result));
    mount($(root, '[data-panel="artifacts"]'), artifacts(job));
    updateBadge($(root, '[data-job-status] .badge'), job.status);
    updateProgressBar($(root, '[data-job-progress] [role="progressbar"]'), job.status, job.progress);
    mount(
      actions,
      ACTIVE.has(job.status) || (isParent && job.status === 'running')
        ? html`<button type="button" data-action="cancel" ${actionAttrs(ctx)}>Cancel</button>`
        : isParent
          ? html``
          : html`<button type="button" data-action="retry" ${actionAttrs(ctx)}>Retry</button>`,
    );
  };
  const loadTimeline = async (): Promise<void> => {
    // The first 500 events (the largest page): a timeline longer than that is a batch's, read over REST.
    const events = await ctx.api.jobs.events(id, { limit: 500 });
    if (!scope.disposed) mount($(root, '[data-panel="timeline"]'), timeline(events.items));
  };
  const log = new RunLogPanel($(root, '[data-panel="log"]'), ctx);
  const loadLog = (): Promise<void> => log.load(job).catch((e: unknown) => ctx.toast(`run.log: ${String(e)}`, 'error'));
  scope.add(ctx.live.on(ClientEvent.JobLog, (e) => e.jobId === id && !scope.disposed && log.append(e.lines)));
  const refresh = scope.throttle(700, () => {
    void ctx.api.jobs.get(id).then(
      (j) => {
        if (scope.disposed) return;
        const newFiles = j.artifacts.length !== job.artifacts.length;
        job = j;
        showJob();
        if (newFiles) void loadLog();
      },
      () => undefined,
    );
    void loadTimeline().catch(() => undefined);
  });
  scope.add(
    ctx.live.on(ClientEvent.JobProgress, (e) => {
      if (e.jobId !== id) return;
      updateProgressBar($(root, '[data-job-progress] [role="progressbar"]'), e.status, e.progress);
      updateBadge($(root, '[data-job-status] .badge'), e.status);
      refresh();
    }),
  );
  scope.add(ctx.live.on(ClientEvent.JobDone, (j) => j.id === id && refresh()));
  actions.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (button?.dataset.action === 'cancel') {
      void act(
        ctx,
        button,
        'Cancelling the job',
        () => ctx.api.jobs.cancel(id),
        () => 'cancel requested',
      ).then((j) => {
        if (!j) return;
        job = j;
        showJob();
      });
    }
    if (button?.dataset.action === 'retry') retry(ctx, button, job);
  });
  showJob();
  await Promise.all([loadTimeline(), loadLog(), isParent ? jobChildren($(root, '[data-panel="children"]'), ctx, scope, job) : undefined]);
};
