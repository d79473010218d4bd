import type { JobEventView } from '@fleetwright/client';
import type { JobView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { formatBytes } from '../format.js';
import { html, mount, type SafeHtml } from '../render.js';

const LOG_TAIL_LINES = 200;

/** A timeline entry in words: status changes, progress steps, log lines, anything else as JSON. */
function describeEvent(e: JobEventView): SafeHtml {
  const d = e.data;
  if (e.kind === 'status')
    return html`${d.from ? html`${String(d.from)} → ` : ''}<strong>${String(d.status)}</strong>${d.reason ? html` <span class="sub">${String(d.reason)}</span>` : ''}`;
  if (e.kind === 'progress') return html`${String(d.percent)} % · ${String(d.step)}${d.message ? html` <span class="sub">${String(d.message)}</span>` : ''}`;
  return html`<code>${JSON.stringify(d)}</code>`;
}

export function timeline(events: JobEventView[]): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events.</p>`;
  return html`<ol class="timeline" data-timeline>${events.map(
    (e) =>
      html`<li data-kind="${e.kind}"><time datetime="${e.at}">${new Date(e.at).toLocaleTimeString()}</time> <span class="kind">${e.kind}</span> ${describeEvent(e)}</li>`,
  )}</ol>`;
}

/** Screenshots inline, the trace and everything else as downloads. Artifact URLs come from the master. */
export function artifacts(job: JobView): SafeHtml {
  if (job.artifacts.length === 0) return html`<p class="empty">No files (a worker uploads them when the job ends).</p>`;
  const images = job.artifacts.filter((a) => a.name.endsWith('.png'));
  return html`<ul class="artifacts">${job.artifacts.map(
    (a) =>
      html`<li><a href="${a.url}" download="${a.name}" data-artifact="${a.name}">${a.name}</a> <span class="sub">${formatBytes(a.size)}</span>${a.name === 'trace.zip' ? html` <span class="sub">(open with <code>npx playwright show-trace</code>)</span>` : ''}</li>`,
  )}</ul>
  ${images.map((a) => html`<figure class="screenshot"><img src="${a.url}" alt="${a.name}" loading="lazy" data-screenshot="${a.name}" /><figcaption>${a.name}</figcaption></figure>`)}`;
}

/**
 * The job's run.log: while the job runs, the lines its worker streams (`job:log`), live; once the
 * file is uploaded, its last lines from the artifact.
 */
export class RunLogPanel {
  private live: string[] = [];
  private fromArtifact = false;

  constructor(
    private readonly el: HTMLElement,
    private readonly ctx: AppContext,
  ) {}

  /** Loads what there is for the job as it is now (artifact, or the live lines so far). */
  async load(job: JobView): Promise<void> {
    if (job.artifacts.some((a) => a.name === 'run.log')) {
      const text = await this.ctx.api.jobs.artifactText(job.id, 'run.log');
      this.fromArtifact = true;
      const lines = text.trimEnd().split('\n');
      const tail = lines.slice(-LOG_TAIL_LINES);
      mount(
        this.el,
        html`${lines.length > tail.length ? html`<p class="sub">last ${tail.length} of ${lines.length} lines</p>` : ''}<pre class="log" data-log="run.log">${tail.join('\n')}</pre>`,
      );
      return;
    }
    const { lines } = await this.ctx.api.jobs.log(job.id);
    // Lines that came live while the request was out are newer than its answer.
    if (!this.fromArtifact) this.show([...lines, ...this.live.filter((l) => !lines.includes(l))], job);
  }

  /** New lines from `job:log`. */
  append(lines: string[]): void {
    if (this.fromArtifact) return;
    this.show([...this.live, ...lines]);
  }

  private show(lines: string[], job?: JobView): void {
    this.live = lines.slice(-LOG_TAIL_LINES);
    if (this.live.length === 0) {
      mount(
        this.el,
        html`<p class="empty">${job?.finishedAt ? 'No run.log was kept for this job.' : 'No lines yet: they appear here live while the job runs.'}</p>`,
      );
      return;
    }
    mount(this.el, html`<p class="sub" data-log-live>live from the worker</p><pre class="log" data-log="live">${this.live.join('\n')}</pre>`);
    const pre = this.el.querySelector('pre');
    if (pre) pre.scrollTop = pre.scrollHeight;
  }
}
