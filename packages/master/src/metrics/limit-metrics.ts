import { Gauge, type Registry } from 'prom-client';
import type { FleetLimits } from '../limits/fleet-limits.js';
import { MetricName } from './metric-names.js';

/** Jobs held by each limit, and the platforms' pauses in force by scope, read from memory at each scrape. */
export function registerLimitMetrics(registry: Registry, limits: Pick<FleetLimits, 'heldByLimit' | 'pausesByScope'>): void {
  const registers = [registry];
  new Gauge({
    name: MetricName.JobsHeld,
    help: 'Queued jobs a limit or a pause holds, by the limit (`<scope>:<target>:<jobType>`, `plugin:…` for a plugin default, `pause:<scope>:<target>`)',
    labelNames: ['limit'],
    registers,
    collect() {
      this.reset();
      for (const [limit, n] of limits.heldByLimit()) this.set({ limit }, n);
    },
  });
  new Gauge({
    name: MetricName.LimitPauses,
    help: 'Scopes the platform throttled (ctx.rateLimited) whose pause has not ended, by scope (account, platform)',
    labelNames: ['scope'],
    registers,
    collect() {
      for (const [scope, n] of limits.pausesByScope()) this.set({ scope }, n);
    },
  });
}
