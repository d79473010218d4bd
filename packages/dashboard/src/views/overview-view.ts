import { ClientEvent } from '@fleetwright/shared/constants';
import type { Health } from '@fleetwright/shared/contract';
import type { JobsPerMinuteView } from '@fleetwright/client';
import type { View } from '../app-context.js';
import { html, mount, type SafeHtml } from '../render.js';
import { href } from '../router.js';
import { jobsChart } from './jobs-chart.js';

const REFRESH_MS = 5000;

function stat(label: string, value: number, link?: string): SafeHtml {
  const body = html`<span class="stat-value" data-value="${value}">${value.toLocaleString('en-US')}</span><span class="stat-label">${label}</span>`;
  return link ? html`<a class="stat" href="${link}" data-stat="${label}">${body}</a>` : html`<div class="stat" data-stat="${label}">${body}</div>`;
}

function render(health: Health, stats: JobsPerMinuteView): SafeHtml {
  const pools = Object.entries(health.pools);
  const failedLastHour = stats.minutes.reduce((n, m) => n + m.failed, 0);
  return html`<h1>Overview <span class="badge status-${health.status}">${health.status}</span></h1>
    <div class="cards">
      <section class="card"><h2>Workers</h2><div class="stats">
        ${stat('online', health.workers.online, href('workers'))}${stat('draining', health.workers.draining)}${stat('offline', health.workers.offline)}
      </div></section>
      <section class="card"><h2>Accounts</h2><div class="stats">
        ${stat('total', health.accounts.total, href('accounts'))}${stat('live', health.accounts.live)}${stat('busy', health.accounts.busy)}
      </div></section>
      <section class="card"><h2>Jobs</h2><div class="stats">
        ${stat('queued', health.jobs.queued, href('jobs', { status: 'queued' }))}${stat('running', health.jobs.running, href('jobs', { status: 'running' }))}${stat('failed', stats.totals.failed, href('jobs', { status: 'failed' }))}
      </div><p class="hint">${failedLastHour} failed in the last hour</p></section>
    </div>
    <section class="card">
      <h2>Jobs finished per minute, last hour</h2>
      ${jobsChart(stats.minutes)}
    </section>
    <section class="card">
      <h2>Pool capacity</h2>
      ${
        pools.length === 0
          ? html`<p class="empty">No pools: tag accounts to make one.</p>`
          : html`<table class="table" data-table="pools"><thead><tr><th>Pool (tag)</th><th>Idle live accounts</th></tr></thead>
            <tbody>${pools.map(([tag, p]) => html`<tr><td>${tag}</td><td>${p.capacity}</td></tr>`)}</tbody></table>`
      }
    </section>`;
}

/** The fleet at a glance: /health plus the per-minute job counts, refreshed on a timer and on live events. */
export const overviewView: View = async (root, ctx, _route, scope) => {
  const load = async (): Promise<void> => {
    const [health, stats] = await Promise.all([ctx.api.health(), ctx.api.stats.jobsPerMinute(60)]);
    if (!scope.disposed) mount(root, render(health, stats));
  };
  const soon = scope.throttle(1000, () => void load().catch(() => undefined));
  scope.add(ctx.live.on(ClientEvent.JobDone, soon));
  scope.add(ctx.live.on(ClientEvent.WorkerStatus, soon));
  scope.every(REFRESH_MS, () => void load().catch(() => undefined));
  await load();
};
