import { ClientEvent } from '@fleetwright/shared/constants';
import type { JobProgressEvent, JobView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { formatAge, shortId } from '../format.js';
import { html, type SafeHtml } from '../render.js';
import { href } from '../router.js';
import type { Scope } from '../scope.js';
import { badge, progressBar, updateBadge, updateProgressBar } from '../widgets.js';

export const JOB_COLUMNS = html`<tr><th>Job</th><th>Type</th><th>Account / pool</th><th>Status</th><th class="wide">Progress</th><th>Attempt</th><th>Worker</th><th>Created</th></tr>`;

/** One job as a table row, with the hooks {@link followJobRows} needs to move it live. */
export function jobRow(job: JobView): SafeHtml {
  const target = job.accountId
    ? html`<a href="${href('accounts', job.accountId)}" class="mono">${shortId(job.accountId)}</a>`
    : job.pool
      ? html`pool <span class="tag">${job.pool}</span>`
      : '–';
  return html`<tr data-job-id="${job.id}">
    <td><a href="${href('jobs', job.id)}" class="mono">${shortId(job.id)}</a>${job.childIds ? html`<div class="sub">${job.childIds.length} children</div>` : ''}</td>
    <td>${job.type}</td>
    <td>${target}</td>
    <td data-cell="status">${badge(job.status)}${job.error ? html`<div class="sub error-text" title="${job.error.message}">${job.error.code}</div>` : ''}</td>
    <td data-cell="progress">${progressBar(job.status, job.progress)}</td>
    <td>${job.attempt} / ${job.maxAttempts}</td>
    <td>${job.workerId ?? '–'}</td>
    <td title="${job.createdAt}">${formatAge(job.createdAt)}</td>
  </tr>`;
}

/**
 * Moves the progress bars and status badges of the rows under `container` as `job:progress` and
 * `job:done` arrive. `onOther` hears about jobs not on screen (a list may want to show new ones).
 */
export function followJobRows(ctx: AppContext, scope: Scope, container: Element, onOther?: (event: JobProgressEvent) => void): void {
  const apply = (event: JobProgressEvent): void => {
    const row = container.querySelector(`tr[data-job-id="${CSS.escape(event.jobId)}"]`);
    if (!row) {
      onOther?.(event);
      return;
    }
    const bar = row.querySelector('[role="progressbar"]');
    if (bar) updateProgressBar(bar, event.status, event.progress);
    const status = row.querySelector('[data-cell="status"] .badge');
    if (status) updateBadge(status, event.status);
  };
  scope.add(ctx.live.on(ClientEvent.JobProgress, apply));
  scope.add(ctx.live.on(ClientEvent.JobDone, (job) => apply({ jobId: job.id, accountId: job.accountId, status: job.status, progress: job.progress })));
}
