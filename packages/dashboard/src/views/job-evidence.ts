import type { JobEventView } from '@fleetwright/client';
import type { JobView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { formatBytes } from '../format.js';
import { html, mount, type SafeHtml } from '../render.js';

const LOG_TAIL_LINES = 200;

/** A timeline entry in words: status changes, progress steps, log lines, anything else as JSON. */
function describeEvent(e: JobEventView): SafeHtml {
  const d = e.data;
  if (e.kind === 'status') return html`${d.from ? html`${String(d.from)} → ` : ''}<strong>${String(d.status)}</strong>${d.reason ? html` <span class="sub">${String(d.reason)}</span>` : ''}`;
  if (e.kind === 'progress') return html`${String(d.percent)} % · ${String(d.step)}${d.message ? html` <span class="sub">${String(d.message)}</span>` : ''}`;
  return html`<code>${JSON.stringify(d)}</code>`;
}

export function timeline(events: JobEventView[]): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events.</p>`;
  return html`<ol class="timeline" data-timeline>${events.map(
    (e) => html`<li data-kind="${e.kind}"><time datetime="${e.at}">${new Date(e.at).toLocaleTimeString()}</time> <span class="kind">${e.kind}</span> ${describeEvent(e)}</li>`,
  )}</ol>`;
}

/** Screenshots inline, the trace and everything else as downloads. Artifact URLs come from the master. */
export function artifacts(job: JobView): SafeHtml {
  if (job.artifacts.length === 0) return html`<p class="empty">No files (a worker uploads them when the job ends).</p>`;
  const images = job.artifacts.filter((a) => a.name.endsWith('.png'));
  return html`<ul class="artifacts">${job.artifacts.map(
    (a) => html`<li><a href="${a.url}" download="${a.name}" data-artifact="${a.name}">${a.name}</a> <span class="sub">${formatBytes(a.size)}</span>${a.name === 'trace.zip' ? html` <span class="sub">(open with <code>npx playwright show-trace</code>)</span>` : ''}</li>`,
  )}</ul>
  ${images.map((a) => html`<figure class="screenshot"><img src="${a.url}" alt="${a.name}" loading="lazy" data-screenshot="${a.name}" /><figcaption>${a.name}</figcaption></figure>`)}`;
}

/** The last lines of the job's run.log, fetched once it has been uploaded. */
export async function runLogTail(el: HTMLElement, ctx: AppContext, job: JobView): Promise<void> {
  if (!job.artifacts.some((a) => a.name === 'run.log')) {
    mount(el, html`<p class="empty">${job.finishedAt ? 'No run.log was kept for this job.' : 'run.log arrives when the job ends; the timeline follows it live meanwhile.'}</p>`);
    return;
  }
  const text = await ctx.api.jobs.artifactText(job.id, 'run.log');
  const lines = text.trimEnd().split('\n');
  const tail = lines.slice(-LOG_TAIL_LINES);
  mount(el, html`${lines.length > tail.length ? html`<p class="sub">last ${tail.length} of ${lines.length} lines</p>` : ''}<pre class="log" data-log="run.log">${tail.join('\n')}</pre>`);
}
