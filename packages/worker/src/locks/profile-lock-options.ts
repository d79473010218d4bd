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
  logger: Logger;
}
