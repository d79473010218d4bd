import { readEnum, readInt, type Env } from '@fleetwright/shared';
import { BROWSER_MODES } from './browser/browser-manager-options.js';
import type { WorkerOptions } from './worker-options.js';

/**
 * The worker-only environment variables, as worker options. Each bad value throws a config error
 * that names its variable; an unset one is left out, so the option's own default applies.
 */
export function readWorkerEnv(env: Env): Pick<WorkerOptions, 'browserMode' | 'contextsPerBrowser' | 'contextIdleMs' | 'sparePageIdleMs' | 'memoryLimitMb'> {
  const out: Pick<WorkerOptions, 'browserMode' | 'contextsPerBrowser' | 'contextIdleMs' | 'sparePageIdleMs' | 'memoryLimitMb'> = {};
  if (env.FLEET_BROWSER_MODE) out.browserMode = readEnum(env, 'FLEET_BROWSER_MODE', BROWSER_MODES, 'persistent');
  if (env.FLEET_CONTEXTS_PER_BROWSER) out.contextsPerBrowser = readInt(env, 'FLEET_CONTEXTS_PER_BROWSER', 0, { min: 1, max: 1000 });
  if (env.FLEET_CONTEXT_IDLE_MS) out.contextIdleMs = readInt(env, 'FLEET_CONTEXT_IDLE_MS', 0, { min: 0, max: 7 * 24 * 3600 * 1000 });
  if (env.FLEET_SPARE_PAGE_IDLE_MS) out.sparePageIdleMs = readInt(env, 'FLEET_SPARE_PAGE_IDLE_MS', 0, { min: 0, max: 24 * 3600 * 1000 });
  if (env.FLEET_MEMORY_LIMIT_MB) out.memoryLimitMb = readInt(env, 'FLEET_MEMORY_LIMIT_MB', 0, { min: 256, max: 16 * 1024 * 1024 });
  return out;
}
