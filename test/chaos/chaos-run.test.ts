import { describe, expect, it } from 'vitest';
// @ts-expect-error: the chaos harness is plain ESM JavaScript (like bench/), run by node directly.
import { runChaos } from '../../chaos/run-chaos.mjs';

/**
 * The short seeded chaos run (`npm run chaos` at a small size): the real fleet as processes, about
 * 150 jobs, one fault of each kind. The judges are the sandbox's oracles, the master's SQLite read
 * directly, the process table and the disk (docs/RELIABILITY.md).
 */
describe('the fleet under faults (seeded chaos run)', () => {
  it('loses no job, repeats no reply, never lets two holders use a profile, keeps every cancel, and leaves nothing behind', async () => {
    const { summary, details } = await runChaos({
      seed: 20_261_205,
      jobs: 150,
      accounts: 8,
      deletedAccounts: 2,
      batchSize: 10,
      durationMs: 60_000,
      workerKillEveryMs: 45_000,
      masterKills: 1,
      partitionMs: 40_000,
      diskFullMs: 10_000,
      drainMs: 150_000,
      maxLiveContexts: 4,
      maxConcurrency: 2,
    });
    // What the judges found, for whoever reads a failure.
    process.stderr.write(`chaos summary: ${JSON.stringify(summary)}\n`);
    if (
      summary.lost +
        summary.duplicateEffects +
        summary.fenceViolations +
        summary.orphans +
        summary.leftoverProfiles +
        summary.refusedSubmissions +
        summary.cancelsNotHonoured >
      0
    ) {
      process.stderr.write(`chaos details: ${JSON.stringify({ ...details, failover: undefined, faults: undefined }, null, 1).slice(0, 20_000)}\n`);
    }
    expect(summary.faults).toMatchObject({ 'worker-sigkill': 1, 'master-sigkill': 1, 'redis-restart': 1, 'partition-from-master': 1, 'chromium-sigkill': 1 });
    // The full disk needs root and `mount`; without them the run says it skipped that fault.
    expect(summary.faults['disk-full'] === 1 || summary.notes.some((n: string) => n.startsWith('disk-full: skipped'))).toBe(true);
    expect(summary.jobs).toBeGreaterThanOrEqual(150);
    expect(summary.requestsWithFence).toBeGreaterThan(0);
    expect({
      lost: summary.lost,
      duplicateEffects: summary.duplicateEffects,
      fenceViolations: summary.fenceViolations,
      orphans: summary.orphans,
      leftoverProfiles: summary.leftoverProfiles,
      refusedSubmissions: summary.refusedSubmissions,
      cancelsNotHonoured: summary.cancelsNotHonoured,
    }).toEqual({ lost: 0, duplicateEffects: 0, fenceViolations: 0, orphans: 0, leftoverProfiles: 0, refusedSubmissions: 0, cancelsNotHonoured: 0 });
  }, 420_000);
});
