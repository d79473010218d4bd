import type { Health } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { Scheduler } from '../scheduler/scheduler.js';

/** `/health`: live = owned by a connected worker that acknowledged it; busy = has a job in flight. */
export async function computeHealth(store: FleetBackend, scheduler: Scheduler, masters?: Health['masters']): Promise<Health> {
  const workers = await store.workers.countByStatus();
  const jobs = await store.jobs.countUnfinished();
  const busy = await store.jobs.activeAccountIds();
  const live = (await store.accounts.ownedWithTags()).filter((a) => scheduler.isAccountReady(a));
  const pools: Health['pools'] = {};
  for (const tag of await store.accounts.poolTags()) pools[tag] = { capacity: 0 };
  for (const account of live) {
    if (busy.has(account.id)) continue;
    for (const tag of account.tags) pools[tag] = { capacity: (pools[tag]?.capacity ?? 0) + 1 };
  }
  return {
    status: workers.online > 0 ? 'ok' : 'degraded',
    workers,
    accounts: { total: await store.accounts.count(), live: live.length, busy: live.filter((a) => busy.has(a.id)).length },
    jobs: { queued: jobs.queued, running: jobs.running + jobs.dispatched },
    pools,
    ...(masters ? { masters } : {}),
  };
}
