import type { JobProgress, JobStatus } from '@fleetwright/shared/contract';
import { formatPercent } from './format.js';
import { html, type SafeHtml } from './render.js';

/** A status word styled by its value (`status-failed`, `status-online`, ...). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge status-${status.replace(/[^a-z_]/gi, '')}" data-status="${status}">${status}</span>`;
}

/** A job's progress bar; {@link updateProgressBar} moves it in place when a live event arrives. */
export function progressBar(status: JobStatus, progress: JobProgress): SafeHtml {
  const percent = Math.max(0, Math.min(100, progress.percent));
  return html`<div class="progress status-${status}" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(percent)}" title="${progress.message ?? progress.step}">
    <div class="progress-fill" style="width: ${percent}%"></div>
    <span class="progress-label">${formatPercent(percent)} · ${progress.step}</span>
  </div>`;
}

export function updateProgressBar(bar: Element, status: JobStatus, progress: JobProgress): void {
  const percent = Math.max(0, Math.min(100, progress.percent));
  bar.className = `progress status-${status}`;
  bar.setAttribute('aria-valuenow', String(Math.round(percent)));
  bar.setAttribute('title', progress.message ?? progress.step);
  const fill = bar.querySelector<HTMLElement>('.progress-fill');
  if (fill) fill.style.width = `${percent}%`;
  const label = bar.querySelector('.progress-label');
  if (label) label.textContent = `${formatPercent(percent)} · ${progress.step}`;
}

/** Replaces a badge's word and style in place. */
export function updateBadge(el: Element, status: string): void {
  el.className = `badge status-${status.replace(/[^a-z_]/gi, '')}`;
  el.setAttribute('data-status', status);
  el.textContent = status;
}

/** Newer / older buttons for a cursor-paged list. */
export function pagerControls(pager: { hasNewer: boolean; hasOlder: boolean; pageNumber: number }): SafeHtml {
  return html`<nav class="pager" aria-label="pages">
    <button type="button" data-page="newer" ${pager.hasNewer ? '' : html`disabled`}>‹ Newer</button>
    <span>page ${pager.pageNumber}</span>
    <button type="button" data-page="older" ${pager.hasOlder ? '' : html`disabled`}>Older ›</button>
  </nav>`;
}

export function emptyRow(columns: number, text: string): SafeHtml {
  return html`<tr><td colspan="${columns}" class="empty">${text}</td></tr>`;
}
