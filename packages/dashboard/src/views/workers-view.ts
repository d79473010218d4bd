import { ClientEvent } from '@fleetwright/shared/constants';
import type { WorkerMemory, WorkerStatusEvent, WorkerView } from '@fleetwright/shared/contract';
import type { View } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { formatAge, formatBytes } from '../format.js';
import { delegate, html, mount, type SafeHtml } from '../render.js';
import { badge, emptyRow } from '../widgets.js';

const REFRESH_MS = 5000;

/** The browsers' PSS against the worker's limit; past its high-water mark it takes no new accounts. */
function browserMemory(memory: WorkerMemory): SafeHtml {
  const percent = memory.limitBytes > 0 ? Math.round((memory.browserPssBytes / memory.limitBytes) * 100) : 0;
  return html`<div class="sub" data-memory-pressure="${memory.underPressure ? 'high' : 'ok'}" title="PSS of the browsers against the worker's memory limit">
    PSS ${formatBytes(memory.browserPssBytes)} of ${formatBytes(memory.limitBytes)} (${percent} %)${memory.underPressure ? html` ${badge('pressure')}` : ''}
  </div>`;
}

function row(w: WorkerView, canDrain: SafeHtml): SafeHtml {
  const s = w.stats;
  return html`<tr data-worker-id="${w.id}">
    <td><strong>${w.id}</strong><div class="sub">${w.host} · v${w.version}</div></td>
    <td data-cell="status">${badge(w.status)}</td>
    <td data-cell="heartbeat" data-at="${w.lastHeartbeatAt ?? ''}">${formatAge(w.lastHeartbeatAt)}</td>
    <td data-cell="memory">${s ? html`${formatBytes(s.rssBytes)}<div class="sub">browsers ${formatBytes(s.browserRssBytes)}</div>${s.memory ? browserMemory(s.memory) : ''}` : '–'}</td>
    <td data-cell="cpu">${s ? `${s.cpuPercent.toFixed(1)} %` : '–'}</td>
    <td data-cell="contexts">${s ? s.liveContexts : '–'}</td>
    <td data-cell="running">${s ? `${s.runningJobs} / ${w.maxConcurrency}` : '–'}</td>
    <td>${w.accounts} / ${w.maxAccounts}</td>
    <td>${w.capabilities.map((c) => c.platform).join(', ')}</td>
    <td><button type="button" data-action="drain" ${canDrain} ${w.status === 'online' ? '' : html`disabled`}>Drain</button></td>
  </tr>`;
}

/** Every worker with its last heartbeat's stats; live status, ticking heartbeat ages, drain. */
export const workersView: View = async (root, ctx, _route, scope) => {
  mount(
    root,
    html`<h1>Workers</h1>
      <table class="table" data-table="workers">
        <thead><tr><th>Worker</th><th>Status</th><th>Heartbeat</th><th>Memory</th><th>CPU</th><th>Live contexts</th><th>Running jobs</th><th>Accounts</th><th>Platforms</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="hint">Draining stops new work; running jobs finish, then the worker's accounts move.</p>`,
  );
  const tbody = root.querySelector('tbody')!;
  const load = async (): Promise<void> => {
    const { items } = await ctx.api.workers.list();
    if (scope.disposed) return;
    mount(tbody, items.length === 0 ? emptyRow(10, 'No worker has registered yet.') : html`${items.map((w) => row(w, actionAttrs(ctx)))}`);
  };
  const soon = scope.throttle(500, () => void load().catch(() => undefined));
  scope.add(
    ctx.live.on(ClientEvent.WorkerStatus, (event: WorkerStatusEvent) => {
      const tr = tbody.querySelector(`tr[data-worker-id="${CSS.escape(event.id)}"]`);
      if (!tr) return soon();
      const previous = tr.querySelector('[data-status]')?.getAttribute('data-status');
      tr.querySelector('[data-cell="heartbeat"]')?.setAttribute('data-at', event.lastHeartbeatAt ?? '');
      // A status change also changes what may be done (drain); the stats change with every heartbeat.
      if (previous !== event.status || event.stats) soon();
    }),
  );
  scope.every(1000, () => {
    for (const cell of tbody.querySelectorAll<HTMLElement>('[data-cell="heartbeat"]')) cell.textContent = formatAge(cell.dataset.at || null);
  });
  scope.every(REFRESH_MS, () => void load().catch(() => undefined));
  delegate<MouseEvent>(root, 'click', '[data-action="drain"]', (button) => {
    const id = button.closest<HTMLElement>('tr')?.dataset.workerId;
    if (!id) return;
    void act(
      ctx,
      button as HTMLButtonElement,
      `Draining ${id}`,
      () => ctx.api.workers.drain(id, 'drained from the dashboard'),
      () => `worker ${id} is draining`,
    ).then(() => load());
  });
  await load();
};
