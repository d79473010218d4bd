import type { Redis } from 'ioredis';
import type { Logger } from '@fleetwright/shared';

export interface ProfileLockOptions {
  redis: Redis;
  /** Key prefix, so fleets (and tests) sharing a Redis never meet. @defaultValue `fleet:` */
  prefix?: string;
  /** Lock lifetime; extended every third of it while the profile is open. @defaultValue 15000 */
  ttlMs?: number;
  /** How long `acquire` keeps trying a lock another holder has. @defaultValue 30000 */
  acquireTimeoutMs?: number;
  /**
   * The longest wait for one Redis call (acquire, extend, release). Past it Redis counts as
   * unreachable: an acquire fails with `LOCK_UNAVAILABLE`, an extension is tried again.
   * @defaultValue a fifth of `ttlMs`
   */
  commandTimeoutMs?: number;
  /**
   * When Redis can't confirm an extension, the holder declares the lock lost this long before its
   * last confirmed validity ends, so it has stopped before another holder can take the lock.
   * @defaultValue a fifth of `ttlMs`
   */
  safetyMarginMs?: number;
  logger: Logger;
}
