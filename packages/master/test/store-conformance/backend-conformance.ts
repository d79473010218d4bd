import { describe } from 'vitest';
import type { ConformanceTarget } from './conformance-setup.js';
import { describeJobsConformance } from './jobs-conformance.js';
import { describeAccountsConformance } from './accounts-conformance.js';
import { describeFleetConformance } from './fleet-conformance.js';
import { describeLeasesConformance } from './leases-conformance.js';
import { describeLimitsConformance } from './limits-conformance.js';

/**
 * The backend contract (FleetBackend's docs) as tests: every store operation and every job
 * transition rule. Each adapter runs it against a fresh store of its own engine.
 */
export function describeBackendConformance(name: string, target: ConformanceTarget): void {
  describe(`FleetBackend conformance: ${name}`, () => {
    describeJobsConformance(target);
    describeAccountsConformance(target);
    // In a describe of its own: its hooks would otherwise open a second backend for every jobs and accounts test.
    describe('fleet', () => describeFleetConformance(target));
    describe('leases', () => describeLeasesConformance(target));
    describe('limits', () => describeLimitsConformance(target));
  });
}
