import type { Health } from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
import type { Scheduler } from '../scheduler/scheduler.js';

/** `/health`: live = owned by a connected worker that acknowledged it; busy = has a job in flight. */
export function computeHealth(store: FleetStore, scheduler: Scheduler): Health {
  const workers = store.workers.countByStatus();
  const jobs = store.jobs.countUnfinished();
  const busy = store.jobs.activeAccountIds();
  const live = store.accounts.ownedWithTags().filter((a) => scheduler.isAccountReady(a));
  const pools: Health['pools'] = {};
  for (const tag of store.accounts.poolTags()) pools[tag] = { capacity: 0 };
  for (const account of live) {
    if (busy.has(account.id)) continue;
    for (const tag of account.tags) pools[tag] = { capacity: (pools[tag]?.capacity ?? 0) + 1 };
  }
  return {
    status: workers.online > 0 ? 'ok' : 'degraded',
    workers,
    accounts: { total: store.accounts.count(), live: live.length, busy: live.filter((a) => busy.has(a.id)).length },
    jobs: { queued: jobs.queued, running: jobs.running + jobs.dispatched },
    pools,
  };
}
