import { afterEach, describe, expect, it } from 'vitest';
import { RestClient } from '@fleetwright/client';
import { FleetHarness } from '../../../test/support/fleet-harness.js';
import { seedScale } from './support/seed-scale.js';

describe('GET /api/v1/stats/jobs-per-minute (the overview chart)', () => {
  let fleet: FleetHarness | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it('counts finished jobs per minute by outcome over the last hour, plus every job by status', async () => {
    fleet = await new FleetHarness().start();
    const now = Date.now();
    const seeded = seedScale(fleet.master, 10, 600, now);
    const api = new RestClient({ baseUrl: fleet.master.url, token: fleet.apiToken });
    const stats = await api.stats.jobsPerMinute();

    expect(stats.minutes).toHaveLength(60);
    expect(Date.parse(stats.minutes.at(-1)!.at)).toBe(Math.floor(Date.now() / 60_000) * 60_000);
    expect(stats.minutes.map((m) => Date.parse(m.at) - Date.parse(stats.minutes[0]!.at))).toEqual(Array.from({ length: 60 }, (_, i) => i * 60_000));
    const sum = (k: 'succeeded' | 'failed' | 'cancelled') => stats.minutes.reduce((n, m) => n + m[k], 0);
    // The oldest seeded minute may fall just outside the window; everything else is in it.
    expect(sum('succeeded') + sum('failed') + sum('cancelled')).toBeGreaterThanOrEqual(590);
    expect(sum('failed') / (sum('succeeded') + sum('failed') + sum('cancelled'))).toBeCloseTo(0.2, 1);
    expect(stats.totals).toMatchObject({ queued: 0, running: 0, ...seeded.jobs });

    const short = await api.stats.jobsPerMinute(5);
    expect(short.minutes).toHaveLength(5);
    expect(short.minutes.reduce((n, m) => n + m.succeeded + m.failed + m.cancelled, 0)).toBeGreaterThan(0);

    await expect(api.stats.jobsPerMinute(0)).rejects.toMatchObject({ httpStatus: 400, code: 'VALIDATION_FAILED', field: 'minutes' });
    await expect(new RestClient({ baseUrl: fleet.master.url }).stats.jobsPerMinute()).rejects.toMatchObject({ httpStatus: 401 });
  });
});
