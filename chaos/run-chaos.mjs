// The chaos run: the real fleet as separate processes, a seeded stream of jobs through the REST API,
// faults injected on a seeded schedule, and judges that do not take the master's word for anything.
// `npm run chaos` (main.mjs) runs it at full size; test/chaos/ runs a short seeded version in CI.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ChaosFleet } from './lib/chaos-fleet.mjs';
import { FaultInjector } from './lib/faults.mjs';
import { failoverPhasesP50, failoverTimes, judgeSite, judgeStore, leftoverProfiles, percentile } from './lib/judges.mjs';
import { processesOf } from './lib/process-table.mjs';
import { progress, sleep } from './lib/rest.mjs';
import { seededRandom } from './lib/rng.mjs';
import { cancelJob, createAccounts, loginAll, planJobs, submitBatch, submitJob } from './lib/workload.mjs';

/** The full run's settings; every one can be overridden (main.mjs reads CHAOS_* into them). */
export const FULL_RUN = {
  seed: 1,
  jobs: 1000,
  accounts: 30,
  deletedAccounts: 3,
  batchSize: 20,
  durationMs: 12 * 60_000,
  workerKillEveryMs: 20_000,
  masterKills: 2,
  partitionMs: 40_000,
  diskFullMs: 20_000,
  drainMs: 10 * 60_000,
  workers: 3,
  heartbeatMs: 2000,
  maxAttempts: 5,
  maxLiveContexts: 6,
  maxConcurrency: 3,
  /** `sqlite`: one master; `postgres`: two masters on a throwaway PostgreSQL cluster and the one Redis. */
  backend: 'sqlite',
  keep: false,
};

/**
 * Runs the fleet through the faults and returns the judges' figures (the one JSON line), plus
 * `details` for a reader who wants to know which jobs.
 * @param {Partial<typeof FULL_RUN>} overrides
 */
export async function runChaos(overrides = {}) {
  const o = { ...FULL_RUN, ...overrides };
  const rng = seededRandom(o.seed);
  const started = Date.now();
  const fleet = new ChaosFleet(o);
  const faults = new FaultInjector(fleet, seededRandom(o.seed * 7919 + 1));
  let stopped = false;
  try {
    await fleet.start();
    const accounts = await createAccounts(fleet.api, fleet.sandbox.url, o.accounts);
    const doomed = await createAccounts(fleet.api, fleet.sandbox.url, o.deletedAccounts, o.accounts);
    progress(`${accounts.length} accounts and ${doomed.length} to delete during the run; logging them in`);
    const logins = await loginAll(fleet.api, [...accounts, ...doomed], o.maxAttempts, o.seed);
    const { jobs, batch, batchAt } = planJobs(rng, { count: o.jobs, accounts, seed: o.seed, batchSize: o.batchSize });
    const doomedJobs = doomed.flatMap((a, i) =>
      [0, 1].map((n) => ({ key: `chaos-${o.seed}-doomed-${i}-${n}`, type: 'crawl', accountId: a.accountId, payload: {} })),
    );

    const monitor = await fleet.api.persist('POST', '/monitors', { accountId: rng.pick(accounts).accountId, minIntervalMs: 5000, maxIntervalMs: 10_000 });
    if (monitor.status !== 201) throw new Error(`monitor refused: ${JSON.stringify(monitor.body)}`);

    // The fault window: jobs go out evenly over it while the faults run on their schedule.
    const windowStart = Date.now();
    const pending = [];
    const at = (fraction, action) =>
      pending.push(
        sleep(fraction * o.durationMs)
          .then(action)
          .catch((error) => faults.notes.push(`fault failed: ${error.message}`)),
      );
    for (let t = o.workerKillEveryMs; t < o.durationMs - 5000; t += o.workerKillEveryMs) at(t / o.durationMs, () => faults.killWorker());
    at(0.12, () => faults.killChromium());
    at(0.2, () => faults.partitionWorker(o.partitionMs));
    for (let k = 0; k < o.masterKills; k += 1) at(0.3 + (0.4 * k) / Math.max(1, o.masterKills - 1), () => faults.killMaster());
    at(0.5, () => faults.restartRedis());
    at(0.6, () => faults.fillDisk(o.diskFullMs));
    at(0.4, () => deleteAccounts(fleet.api, doomed, faults));

    // A submission the master refuses is recorded, not thrown: the run goes on and reports it.
    const refused = [];
    const track = (promise, key) => promise.catch((error) => refused.push({ key, error: String(error.message ?? error) }));
    const submissions = [...doomedJobs.map((s) => track(submitJob(fleet.api, s, o.maxAttempts), s.key))];
    let batchId;
    const gap = o.durationMs / Math.max(1, jobs.length + 1);
    for (let i = 0; i < jobs.length; i += 1) {
      if (i === batchAt)
        submissions.push(
          track(
            submitBatch(fleet.api, batch, o.maxAttempts, `chaos-${o.seed}-batch`).then((id) => (batchId = id)),
            'batch',
          ),
        );
      const spec = jobs[i];
      submissions.push(
        track(
          submitJob(fleet.api, spec, o.maxAttempts).then(() => (spec.cancelAfterMs === undefined ? spec : cancelJob(fleet.api, spec))),
          spec.key,
        ),
      );
      if (i % 50 === 0) progress(`submitted ${i}/${jobs.length} jobs, ${Math.round((Date.now() - windowStart) / 1000)} s into the fault window`);
      await sleep(Math.max(0, windowStart + (i + 1) * gap - Date.now()));
    }
    await Promise.all(submissions);
    await Promise.all(pending);
    progress('fault window over; healing everything and draining the queue');
    await fleet.api.persist('DELETE', `/monitors/${monitor.body.id}`);
    await fleet.healAll();
    const drained = await drain(fleet.api, o.drainMs);
    progress(drained ? 'queue drained; stopping the fleet' : `queue not drained within ${o.drainMs} ms; stopping the fleet anyway`);
    await fleet.stop();
    stopped = true;
    faults.unmountAll();
    // Whatever is still alive a few seconds after the fleet stopped was left behind.
    await sleep(5000);
    const orphans = processesOf(fleet.runDir);

    const replies = [...jobs, ...batch].filter((s) => s.type === 'reply');
    const site = await judgeSite(fleet.sandbox, replies);
    // Only what the master accepted counts as submitted; a refusal is reported apart.
    const submitted = [...logins, ...jobs.filter((s) => s.jobId), ...doomedJobs.filter((s) => s.jobId), ...(batchId ? batch : [])];
    const store = judgeStore(await fleet.readStore(), submitted);
    const statusByKey = new Map(store.rows.map((r) => [r.idempotency_key, r.status]));
    const duplicateEffects = site.replyTexts.reduce((sum, r) => sum + Math.max(0, r.count - 1), 0);
    const missingEffects = site.replyTexts.filter((r) => r.count === 0 && statusByKey.get(r.key) === 'succeeded');
    // A cancel the master accepted must stick: the job never starts (again) after it.
    const startedAfter = (s) => (store.history.get(s.jobId) ?? []).some((e) => e.status === 'running' && e.at > s.cancelAnsweredAt);
    const statusById = new Map(store.rows.map((r) => [r.id, r.status]));
    const cancels = [...jobs.filter((s) => s.cancelAccepted), ...faults.cancels];
    const cancelsNotHonoured = cancels.filter(startedAfter).map((s) => ({ jobId: s.jobId, status: statusById.get(s.jobId) }));
    const profilesLeft = leftoverProfiles(
      path.join(fleet.runDir, 'fleet', 'workers'),
      doomed.filter((a) => a.deleted).map((a) => a.accountId),
    );
    const kills = faults.log.filter((f) => f.kind === 'worker-sigkill');
    const failover = failoverTimes(store.history, kills);
    const ms = failover.samples.map((s) => s.ms);

    const summary = {
      jobs: store.jobs,
      succeeded: store.succeeded,
      failed: store.failed,
      cancelled: store.cancelled,
      lost: store.missing.length + store.unfinished.length,
      duplicateEffects,
      missingEffects: missingEffects.length,
      fenceViolations: site.fenceViolations.length,
      requestsWithFence: site.requestsWithFence,
      orphans: orphans.length,
      leftoverProfiles: profilesLeft.length,
      cancelsAccepted: cancels.length,
      cancelsNotHonoured: cancelsNotHonoured.length,
      refusedSubmissions: refused.length,
      succeededTwice: store.succeededTwice.length,
      unexpectedFailures: store.unexpectedFailures.length,
      jobsRunMoreThanOnce: store.jobsRunMoreThanOnce,
      dispatchRefusals: store.dispatchRefusals,
      failoverP50Ms: percentile(ms, 50),
      failoverMaxMs: ms.length ? Math.max(...ms) : null,
      failoverSamples: ms.length,
      failoverPhasesP50: failoverPhasesP50(failover.samples),
      ...(fleet.postgres ? { backend: 'postgres', masters: fleet.masters.length, leaderTakeoverMs: fleet.takeovers.map((t) => t.ms) } : {}),
      faults: countBy(faults.log.map((f) => f.kind)),
      crashes: countBy(fleet.crashes.map((c) => c.name)),
      seed: o.seed,
      durationMs: Date.now() - started,
      notes: faults.notes,
    };
    const details = {
      runDir: fleet.runDir,
      batchId,
      failureReasons: store.failureReasons,
      unexpectedFailures: store.unexpectedFailures.slice(0, 50),
      refusedReports: store.refusedReports,
      refusedSubmissions: refused.slice(0, 20),
      missing: store.missing.slice(0, 50),
      unfinished: store.unfinished.slice(0, 50),
      duplicates: site.replyTexts.filter((r) => r.count > 1).slice(0, 50),
      oracleDuplicates: site.oracleDuplicates.slice(0, 20),
      missingEffects: missingEffects.slice(0, 50),
      fenceViolations: site.fenceViolations.slice(0, 20),
      orphans: orphans.slice(0, 30).map((p) => ({ pid: p.pid, cmdline: p.cmdline.slice(0, 300) })),
      leftoverProfiles: profilesLeft,
      cancelsNotHonoured,
      failover,
      // The status timeline of every job a judge names, to tell which fault it met.
      timelines: Object.fromEntries(
        [...new Set([...store.unfinished.map((j) => j.id), ...cancelsNotHonoured.map((j) => j.jobId), ...store.unexpectedFailures.map((j) => j.id)])]
          .slice(0, 30)
          .map((id) => [id, store.history.get(id) ?? []]),
      ),
      faults: faults.log,
      crashes: fleet.crashes,
      takeovers: fleet.takeovers,
    };
    return { summary, details };
  } finally {
    if (!stopped) await fleet.stop().catch(() => undefined);
    faults.unmountAll();
    // Cleanup, after the judging: nothing of this run may outlive it, orphan or not.
    for (const p of processesOf(fleet.runDir)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await fleet.kill();
    if (!o.keep) rmSync(fleet.runDir, { recursive: true, force: true });
    else progress(`run dir kept: ${fleet.runDir}`);
  }
}

/** Deletes the doomed accounts once their jobs are done (the master refuses while one runs). */
async function deleteAccounts(api, doomed, faults) {
  for (const account of doomed) {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const res = await api.persist('DELETE', `/accounts/${account.accountId}`);
      if (res.status === 204 || res.status === 200) {
        account.deleted = true;
        faults.record('account-deleted', account.accountId);
        break;
      }
      await sleep(1000);
    }
    if (!account.deleted) faults.notes.push(`account ${account.accountId} could not be deleted within 60 s`);
  }
}

/** Waits until the master has nothing queued or running, twice in a row. */
async function drain(api, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < until) {
    const jobs = (await api.health().catch(() => undefined))?.jobs;
    if (jobs && jobs.queued === 0 && jobs.running === 0) {
      if (++quiet >= 2) return true;
    } else quiet = 0;
    if (jobs) progress(`draining: ${jobs.queued} queued, ${jobs.running} running`);
    await sleep(3000);
  }
  return false;
}

function countBy(values) {
  const out = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
