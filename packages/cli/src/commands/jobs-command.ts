import { readFile } from 'node:fs/promises';
import { JOB_STATUSES, MAX_JOB_TIMEOUT_MS, MIN_JOB_TIMEOUT_MS, type CreateJobBody, type JobStatus } from '@fleetwright/shared/contract';
import { FleetApiError } from '@fleetwright/client';
import { CliError, ExitCode } from '../cli-error.js';
import { intFlag, parseCommand } from '../command-args.js';
import type { ApiContext } from '../api-context.js';
import { formatTable, shortTime } from '../io/table.js';
import { progressBar } from '../io/progress-board.js';
import { allPages, stdio, withApi, type CommandIo } from './command.js';
import { watchJobs } from './job-watch.js';

export const JOBS_USAGE = `fleet jobs add TYPE (--account ID|LABEL | --pool TAG) [--payload JSON | --payload-file F] [--priority N] [--max-attempts N] [--idempotency-key K] [--run-after ISO] [--timeout-ms N] [--watch]
fleet jobs list [--status S] [--type T] [--account ID] [--limit N] [--json]
fleet jobs watch ID... [--timeout SECONDS]
fleet jobs cancel ID`;

export async function jobsCommand(argv: string[], io: CommandIo = stdio): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return addJob(rest, io);
    case 'list':
      return listJobs(rest, io);
    case 'watch':
      return watch(rest, io);
    case 'cancel':
      return cancelJob(rest, io);
    default:
      throw new CliError(`unknown jobs command ${JSON.stringify(sub ?? '')}\nusage:\n${JOBS_USAGE}`);
  }
}

async function addJob(argv: string[], io: CommandIo): Promise<void> {
  const usage = 'fleet jobs add TYPE (--account ID|LABEL | --pool TAG) [--payload JSON | --payload-file F] [--watch]';
  const parsed = parseCommand(
    argv,
    {
      account: { type: 'string' },
      pool: { type: 'string' },
      payload: { type: 'string' },
      'payload-file': { type: 'string' },
      priority: { type: 'string' },
      'max-attempts': { type: 'string' },
      'idempotency-key': { type: 'string' },
      'run-after': { type: 'string' },
      'timeout-ms': { type: 'string' },
      watch: { type: 'boolean' },
    },
    usage,
  );
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const [type, extra] = parsed.positionals;
  if (!type || extra !== undefined) throw new CliError(`name one job type (usage: ${usage})`);
  if (!v.account === !v.pool) throw new CliError('give --account or --pool (one of them)');
  if (v.payload !== undefined && v['payload-file'] !== undefined) throw new CliError('give --payload or --payload-file, not both');
  const payloadText = v['payload-file'] ? await readPayloadFile(v['payload-file'] as string) : (v.payload as string | undefined);
  const body: CreateJobBody = { type };
  if (payloadText !== undefined) body.payload = parsePayload(payloadText);
  if (v.pool) body.pool = v.pool as string;
  const priority = intFlag(v.priority as string | undefined, 'priority', -1000, 1000);
  if (priority !== undefined) body.priority = priority;
  const maxAttempts = intFlag(v['max-attempts'] as string | undefined, 'max-attempts', 1, 100);
  if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
  const timeoutMs = intFlag(v['timeout-ms'] as string | undefined, 'timeout-ms', MIN_JOB_TIMEOUT_MS, MAX_JOB_TIMEOUT_MS);
  if (timeoutMs !== undefined) body.timeoutMs = timeoutMs;
  if (v['idempotency-key']) body.idempotencyKey = v['idempotency-key'] as string;
  if (v['run-after']) body.runAfter = v['run-after'] as string;
  await withApi(parsed, async (api) => {
    if (v.account) body.accountId = await resolveAccount(api, v.account as string);
    const job = await api.rest.jobs.create(body);
    if (parsed.values.json && !v.watch) io.out.write(`${JSON.stringify(job, null, 2)}\n`);
    else if (!v.watch) io.out.write(`${job.id}\n`);
    io.err.write(`queued ${job.type} job ${job.id}\n`);
    if (v.watch) await finishWatch(await watchJobs(api, [job.id], io));
  });
}

/** An account by id, or by its label when no account has that id (labels are what people remember). */
async function resolveAccount(api: ApiContext, idOrLabel: string): Promise<string> {
  try {
    return (await api.rest.accounts.get(idOrLabel)).id;
  } catch (error) {
    if (!(error instanceof FleetApiError) || (error.code !== 'ACCOUNT_NOT_FOUND' && error.code !== 'NOT_FOUND' && error.code !== 'VALIDATION_FAILED'))
      throw error;
  }
  const matches = (await allPages((cursor) => api.rest.accounts.list({ limit: 500, cursor }))).filter((a) => a.label === idOrLabel);
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0)
    throw new CliError(`ACCOUNT_NOT_FOUND: no account has the id or label ${JSON.stringify(idOrLabel)} (field: account)`, ExitCode.Failed);
  throw new CliError(
    `${matches.length} accounts have the label ${JSON.stringify(idOrLabel)}; give the id (${matches.map((a) => a.id).join(', ')})`,
    ExitCode.Failed,
  );
}

async function readPayloadFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.NoInput);
  }
}

function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`the payload is not JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CliError('the payload must be a JSON object');
  return value as Record<string, unknown>;
}

async function listJobs(argv: string[], io: CommandIo): Promise<void> {
  const parsed = parseCommand(
    argv,
    { status: { type: 'string' }, type: { type: 'string' }, account: { type: 'string' }, limit: { type: 'string' } },
    'fleet jobs list [--status S] [--type T] [--account ID] [--limit N] [--json]',
  );
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.status !== undefined && !(JOB_STATUSES as readonly string[]).includes(v.status as string))
    throw new CliError(`--status must be one of ${JOB_STATUSES.join(', ')}`);
  const limit = intFlag(v.limit as string | undefined, 'limit', 1, 500) ?? 50;
  const page = await withApi(parsed, (api) =>
    api.rest.jobs.list({
      ...(v.status ? { status: v.status as JobStatus } : {}),
      ...(v.type ? { type: v.type as string } : {}),
      ...(v.account ? { accountId: v.account as string } : {}),
      limit,
    }),
  );
  if (parsed.values.json) {
    io.out.write(`${JSON.stringify(page.items, null, 2)}\n`);
    return;
  }
  const rows = page.items.map((j) => [
    j.id,
    j.type,
    j.accountId ?? (j.pool ? `pool:${j.pool}` : null),
    j.status,
    j.attempt,
    progressBar(j.progress.percent, 10),
    j.progress.step,
    j.error?.code,
    shortTime(j.createdAt),
  ]);
  io.out.write(formatTable(['id', 'type', 'account', 'status', 'try', 'progress', 'step', 'error', 'created'], rows));
}

async function watch(argv: string[], io: CommandIo): Promise<void> {
  const parsed = parseCommand(argv, { timeout: { type: 'string' } }, 'fleet jobs watch ID... [--timeout SECONDS]');
  if (parsed.positionals.length === 0) throw new CliError('name the job(s) to watch (usage: fleet jobs watch ID... [--timeout SECONDS])');
  const timeout = intFlag(parsed.values.timeout as string | undefined, 'timeout', 1, 7 * 24 * 3600);
  const jobs = await withApi(parsed, (api) => watchJobs(api, [...new Set(parsed.positionals)], io, timeout === undefined ? undefined : timeout * 1000));
  if (parsed.values.json) io.out.write(`${JSON.stringify(jobs, null, 2)}\n`);
  await finishWatch(jobs);
}

/** A watch ends non-zero unless every job succeeded, so scripts can `fleet jobs add ... --watch && next`. */
async function finishWatch(jobs: { status: string }[]): Promise<void> {
  const unsuccessful = jobs.filter((j) => j.status !== 'succeeded').length;
  if (unsuccessful > 0) throw new CliError(`${unsuccessful} of ${jobs.length} job(s) did not succeed`, ExitCode.Failed);
}

async function cancelJob(argv: string[], io: CommandIo): Promise<void> {
  const parsed = parseCommand(argv, {}, 'fleet jobs cancel ID');
  const [id, extra] = parsed.positionals;
  if (!id || extra !== undefined) throw new CliError('name one job to cancel (usage: fleet jobs cancel ID)');
  const job = await withApi(parsed, (api) => api.rest.jobs.cancel(id));
  if (parsed.values.json) io.out.write(`${JSON.stringify(job, null, 2)}\n`);
  io.err.write(`job ${job.id} is ${job.status}\n`);
}
