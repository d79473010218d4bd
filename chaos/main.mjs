#!/usr/bin/env node
// `npm run chaos`: the full chaos run (docs/RELIABILITY.md). Progress on stderr; one JSON line on
// stdout with the judges' figures. Exit code 1 when any judge found something.
// Every setting has a CHAOS_* variable, e.g. CHAOS_SEED=7 CHAOS_JOBS=300 npm run chaos.
import { writeFileSync } from 'node:fs';
import { FULL_RUN, runChaos } from './run-chaos.mjs';

const ENV_NAMES = {
  seed: 'CHAOS_SEED',
  jobs: 'CHAOS_JOBS',
  accounts: 'CHAOS_ACCOUNTS',
  deletedAccounts: 'CHAOS_DELETED_ACCOUNTS',
  batchSize: 'CHAOS_BATCH_SIZE',
  durationMs: 'CHAOS_DURATION_MS',
  workerKillEveryMs: 'CHAOS_WORKER_KILL_EVERY_MS',
  masterKills: 'CHAOS_MASTER_KILLS',
  partitionMs: 'CHAOS_PARTITION_MS',
  diskFullMs: 'CHAOS_DISK_FULL_MS',
  drainMs: 'CHAOS_DRAIN_MS',
  heartbeatMs: 'CHAOS_HEARTBEAT_MS',
  maxAttempts: 'CHAOS_MAX_ATTEMPTS',
  maxLiveContexts: 'CHAOS_MAX_LIVE_CONTEXTS',
  maxConcurrency: 'CHAOS_MAX_CONCURRENCY',
};

function readOptions(env) {
  const options = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      process.stderr.write(`chaos: ${name} must be a whole number ≥ 0 (got ${JSON.stringify(raw)})\n`);
      process.exit(78);
    }
    options[key] = value;
  }
  options.keep = env.CHAOS_KEEP === '1';
  // CHAOS_BACKEND=postgres: two masters on a throwaway PostgreSQL cluster, the master kills aimed at the leader.
  if (env.CHAOS_BACKEND) {
    if (env.CHAOS_BACKEND !== 'sqlite' && env.CHAOS_BACKEND !== 'postgres') {
      process.stderr.write(`chaos: CHAOS_BACKEND must be sqlite or postgres (got ${JSON.stringify(env.CHAOS_BACKEND)})\n`);
      process.exit(78);
    }
    options.backend = env.CHAOS_BACKEND;
  }
  return options;
}

const options = readOptions(process.env);
process.stderr.write(`chaos: ${JSON.stringify({ ...FULL_RUN, ...options })}\n`);
const { summary, details } = await runChaos(options);
if (process.env.CHAOS_REPORT_FILE) writeFileSync(process.env.CHAOS_REPORT_FILE, JSON.stringify({ summary, details }, null, 2));
process.stderr.write(
  `chaos details: ${JSON.stringify({ ...details, failover: { samples: details.failover.samples.length, notRerun: details.failover.notRerun } }, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(summary)}\n`);
const clean =
  summary.lost === 0 &&
  summary.duplicateEffects === 0 &&
  summary.fenceViolations === 0 &&
  summary.orphans === 0 &&
  summary.leftoverProfiles === 0 &&
  summary.refusedSubmissions === 0 &&
  summary.cancelsNotHonoured === 0;
process.exit(clean ? 0 : 1);
