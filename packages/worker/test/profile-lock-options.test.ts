import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type FleetError } from '@fleetwright/shared';
import { ProfileLocks, type ProfileLockOptions } from '@fleetwright/worker';

const logger = createLogger({ name: 'test', console: false });

describe('profile lock options', () => {
  // Never connects: the options are refused before any Redis call.
  const redis = new Redis({ lazyConnect: true });
  afterAll(() => redis.disconnect());
  const refusal = (overrides: Partial<ProfileLockOptions>): FleetError | undefined => {
    try {
      new ProfileLocks({ redis, logger, ...overrides });
      return undefined;
    } catch (error) {
      return error as FleetError;
    }
  };

  it('refuses timings that could not keep a lock, naming the option', () => {
    expect(refusal({ ttlMs: 50 })).toMatchObject({ code: 'CONFIG_INVALID', field: 'ttlMs' });
    expect(refusal({ ttlMs: 1000, commandTimeoutMs: 600 })).toMatchObject({ code: 'CONFIG_INVALID', field: 'commandTimeoutMs' });
    expect(refusal({ ttlMs: 1000, commandTimeoutMs: 0 })).toMatchObject({ code: 'CONFIG_INVALID', field: 'commandTimeoutMs' });
    expect(refusal({ ttlMs: 1000, safetyMarginMs: 500 })).toMatchObject({ code: 'CONFIG_INVALID', field: 'safetyMarginMs' });
    expect(refusal({ acquireTimeoutMs: -1 })).toMatchObject({ code: 'CONFIG_INVALID', field: 'acquireTimeoutMs' });
  });

  it('accepts the defaults and sensible timings', () => {
    expect(refusal({})).toBeUndefined();
    expect(refusal({ ttlMs: 600, acquireTimeoutMs: 0, commandTimeoutMs: 100, safetyMarginMs: 0 })).toBeUndefined();
  });
});
