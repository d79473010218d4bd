import { ClientEvent, FINISHED_JOB_STATUSES, type JobView } from '@fleetwright/shared/contract';
import { CliError, ExitCode } from '../cli-error.js';
import type { ApiContext } from '../api-context.js';
import { ProgressBoard } from '../io/progress-board.js';
import type { CommandIo } from './command.js';

/** How often the jobs are read again over REST, in case an event was missed while reconnecting. */
const RESYNC_MS = 5000;

/**
 * Shows live progress bars for `ids` from the `/client` events `job:progress` and `job:done`
 * until every job has finished (or `timeoutMs` passes), then one summary line per job. Returns
 * the finished jobs.
 */
export async function watchJobs(api: ApiContext, ids: string[], io: CommandIo, timeoutMs?: number): Promise<JobView[]> {
  const board = new ProgressBoard(io.out);
  const finished = new Map<string, JobView>();
  const types = new Map<string, string>();
  /** `job:progress` carries no attempt: the last one read is shown. */
  const attempts = new Map<string, number>();
  let settle: (() => void) | undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  const check = (): void => {
    if (finished.size === ids.length) settle?.();
  };
  const show = (job: Pick<JobView, 'id' | 'status' | 'progress' | 'attempt'>): void => {
    board.update({
      id: job.id,
      type: types.get(job.id) ?? '',
      status: job.status,
      percent: job.progress.percent,
      step: job.progress.step,
      attempt: job.attempt,
    });
  };
  const record = (job: JobView): void => {
    types.set(job.id, job.type);
    attempts.set(job.id, job.attempt);
    if (finished.has(job.id)) return;
    show(job);
    if (FINISHED_JOB_STATUSES.includes(job.status)) {
      finished.set(job.id, job);
      check();
    }
  };
  const resync = async (): Promise<void> => {
    for (const id of ids) if (!finished.has(id)) record(await api.rest.jobs.get(id));
  };

  // Subscribe first, then read: an event between the two is seen twice, never missed.
  const live = await api.live();
  const wanted = new Set(ids);
  const offProgress = live.on(ClientEvent.JobProgress, (event) => {
    if (!wanted.has(event.jobId) || finished.has(event.jobId)) return;
    show({ id: event.jobId, status: event.status, progress: event.progress, attempt: attempts.get(event.jobId) ?? 1 });
  });
  const offDone = live.on(ClientEvent.JobDone, (job) => {
    if (wanted.has(job.id)) record(job);
  });
  const onReconnect = (): void => void resync().catch(() => undefined);
  live.socket.io.on('reconnect', onReconnect);
  const timers: NodeJS.Timeout[] = [];
  try {
    for (const id of ids) {
      record(await api.rest.jobs.get(id));
    }
    timers.push(setInterval(() => void resync().catch(() => undefined), RESYNC_MS));
    const expired = new Promise<'expired'>((resolve) => {
      if (timeoutMs !== undefined) timers.push(setTimeout(() => resolve('expired'), timeoutMs));
    });
    if ((await Promise.race([allDone, expired])) === 'expired') {
      throw new CliError(`${ids.length - finished.size} job(s) still running after ${Math.round(timeoutMs! / 1000)} s`, ExitCode.Failed);
    }
  } finally {
    for (const timer of timers) clearTimeout(timer);
    offProgress();
    offDone();
    live.socket.io.off('reconnect', onReconnect);
  }
  const jobs = ids.map((id) => finished.get(id)!);
  for (const job of jobs) io.err.write(`${summary(job)}\n`);
  return jobs;
}

function summary(job: JobView): string {
  const took = job.startedAt && job.finishedAt ? ` in ${((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000).toFixed(1)} s` : '';
  const attempts = job.attempt > 1 ? ` after ${job.attempt} attempts` : '';
  const error = job.error ? `: ${job.error.code}: ${job.error.message}` : '';
  return `job ${job.id} ${job.status}${took}${attempts}${error}`;
}
