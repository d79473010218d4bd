import { FleetError } from '@fleetwright/shared';
import type { ProfileLockOptions } from './profile-lock-options.js';

/** A lock's clock: how long it lives, how often it is extended, how long Redis may take. */
export interface LockTimings {
  ttlMs: number;
  acquireTimeoutMs: number;
  commandTimeoutMs: number;
  safetyMarginMs: number;
  /** A third of the ttl: two extensions can fail before the lock would expire. */
  extendEveryMs: number;
  /** After a failed extension: soon, so a short Redis blip costs nothing. */
  retryEveryMs: number;
}

/** The options' timings with their defaults, refused (naming the option) when they can't keep a lock. */
export function lockTimings(options: ProfileLockOptions): LockTimings {
  const ttlMs = options.ttlMs ?? 15_000;
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? Math.floor(ttlMs / 5);
  const safetyMarginMs = options.safetyMarginMs ?? Math.floor(ttlMs / 5);
  if (!Number.isInteger(ttlMs) || ttlMs < 100) throw invalid('ttlMs', `must be an integer of at least 100 ms, got ${ttlMs}`);
  if (!Number.isFinite(acquireTimeoutMs) || acquireTimeoutMs < 0) throw invalid('acquireTimeoutMs', `must be 0 or more, got ${acquireTimeoutMs}`);
  if (!(commandTimeoutMs > 0 && commandTimeoutMs < ttlMs / 2))
    throw invalid('commandTimeoutMs', `must be above 0 and below half of ttlMs (${ttlMs}), got ${commandTimeoutMs}`);
  if (!(safetyMarginMs >= 0 && safetyMarginMs < ttlMs / 2))
    throw invalid('safetyMarginMs', `must be 0 or more and below half of ttlMs (${ttlMs}), got ${safetyMarginMs}`);
  return {
    ttlMs,
    acquireTimeoutMs,
    commandTimeoutMs,
    safetyMarginMs,
    extendEveryMs: Math.floor(ttlMs / 3),
    retryEveryMs: Math.max(10, Math.floor(ttlMs / 10)),
  };
}

function invalid(field: string, why: string): FleetError {
  return new FleetError('CONFIG_INVALID', `profile lock option ${field} ${why}`, { field });
}
