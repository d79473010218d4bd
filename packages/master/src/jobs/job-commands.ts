import { FleetError, MasterEvent, parseOrThrow, type CreateJobBody, type JobView, type Logger } from '@fleetwright/shared';
import { PayloadSchemaCache } from './payload-schema-cache.js';
import { GatheredDecisions, type Outcome } from '../scheduler/gathered-decisions.js';
import { requestFingerprint } from './request-fingerprint.js';
import { PARENT_JOB_TYPES, type JobRow, type NewJob } from '../store/backend/records.js';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';

/**
 * Creating and cancelling jobs: what REST and `/client` both call. `create`, `createMany`,
 * `validate` and `checkPlatform` run inside a decision (the caller's); `submit`, `submitMany`,
 * `cancel` and `deleteAccount` make their own (a cancel waits for the worker between two).
 */
export class JobCommands {
  private readonly payloadSchemas = new PayloadSchemaCache();
  /**
   * The platform of each account a job was made for. An account's platform never changes (an
   * update cannot set it), so it is read once: a job's creation on PostgreSQL is then one round trip,
   * not two. An account deleted since is refused by the insert itself (ACCOUNT_NOT_FOUND).
   */
  private readonly accountPlatforms = new Map<string, string>();
  private readonly submissions: GatheredDecisions<CreateJobBody, { job: JobView; created: boolean }>;
  /** Set by ParentJobs: cancelling a batch or flow stops its children. */
  stopParent: ((jobId: string) => Promise<JobView>) | undefined;
  constructor(
    private readonly store: FleetBackend,
    private readonly scheduler: Scheduler,
    private readonly links: WorkerLinks,
    private readonly logger: Logger,
  ) {
    this.submissions = new GatheredDecisions(scheduler, (bodies) => this.createGathered(bodies));
  }

  /**
   * `create` as a decision: what REST and `/client` call. The jobs submitted while one such
   * decision waits its turn are created by it together (see `createGathered`).
   */
  submit(body: CreateJobBody): Promise<{ job: JobView; created: boolean }> {
    return this.submissions.submit(body);
  }

  /**
   * Creates each job as `create` would, its refusal its own: every body is checked, then those that
   * pass are inserted in one write (`jobs.createNew`; on PostgreSQL one round trip for them all,
   * where each was one); a job it leaves (an idempotency key in use, an account gone) and every job
   * of a write that failed are created one by one, each undone alone if refused.
   */
  private async createGathered(bodies: CreateJobBody[]): Promise<Outcome<{ job: JobView; created: boolean }>[]> {
    const outcomes: Outcome<{ job: JobView; created: boolean }>[] = [];
    // Their accounts' platforms not known yet, in one read rather than one each.
    const unknown = [...new Set(bodies.map((body) => body.accountId).filter((id): id is string => !!id && !this.accountPlatforms.has(id)))];
    if (unknown.length > 1) for (const [id, platform] of await this.store.accounts.platformsOf(unknown)) this.accountPlatforms.set(id, platform);
    const checked: { i: number; body: CreateJobBody; platform: string | null }[] = [];
    for (const [i, body] of bodies.entries()) {
      try {
        checked.push({ i, body, platform: await this.check(body) });
      } catch (error) {
        outcomes[i] = { ok: false, error };
      }
    }
    const rows = await this.store
      .transaction(() => this.store.jobs.createNew(checked.map(({ body, platform }) => this.newJob(body, platform, {}))))
      .catch((error: unknown) => {
        this.logger.debug('jobs created together were refused; creating them one by one', { jobs: checked.length, error });
        return checked.map(() => undefined);
      });
    const announced = async ({ row, created }: { row: JobRow; created: boolean }): Promise<{ job: JobView; created: boolean }> => {
      const job = await this.store.jobs.view(row);
      if (created) await this.scheduler.jobs.created(row, job);
      return { job, created };
    };
    for (const [k, { i, body, platform }] of checked.entries()) {
      const row = rows[k];
      // Inserted together: a failure past the insert fails them all (the decision is undone whole).
      if (row) outcomes[i] = { ok: true, value: await announced({ row, created: true }) };
      else {
        try {
          outcomes[i] = { ok: true, value: await this.store.transaction(async () => announced(await this.insert(body, platform, {}, false))) };
        } catch (error) {
          outcomes[i] = { ok: false, error };
        }
      }
    }
    if (outcomes.some((outcome) => outcome.ok && outcome.value.created)) this.scheduler.schedule();
    return outcomes;
  }

  /** `createMany` as a decision of its own, in a transaction of its own (it writes much). */
  submitMany(bodies: CreateJobBody[]): Promise<{ job: JobView; created: boolean }[]> {
    return this.scheduler.decide(() => this.createMany(bodies), { alone: true });
  }

  /**
   * Validates against what the fleet knows, then queues. A known idempotency key returns its job
   * when the body is the same, and is refused with CONFLICT (field `idempotencyKey`) when it is not.
   */
  async create(body: CreateJobBody, extra: { monitorId?: string } = {}): Promise<{ job: JobView; created: boolean }> {
    const platform = await this.check(body);
    const result = await this.insert(body, platform, extra);
    if (result.created) this.scheduler.schedule();
    return { job: await this.store.jobs.view(result.row), created: result.created };
  }

  /**
   * Creates many jobs: every body is checked first, then all are written in one transaction, so a
   * bad one (named as `jobs.<i>...`) leaves nothing written and nothing announced.
   */
  async createMany(bodies: CreateJobBody[]): Promise<{ job: JobView; created: boolean }[]> {
    const platforms: (string | null)[] = [];
    for (const [i, body] of bodies.entries()) platforms.push(await namingJob(i, () => this.check(body)));
    const rows: { row: JobRow; created: boolean }[] = [];
    for (const [i, body] of bodies.entries()) rows.push(await namingJob(i, () => this.insert(body, platforms[i]!, {}, false)));
    // One read builds every view: the announcements and the answer share them.
    const views = await this.store.jobs.views(rows.map(({ row }) => row));
    for (const [i, { row, created }] of rows.entries()) {
      const announcing = created ? this.scheduler.jobs.created(row, views[i]) : undefined;
      if (announcing) await announcing;
    }
    this.scheduler.schedule();
    return rows.map(({ created }, i) => ({ job: views[i]!, created }));
  }

  /**
   * Everything that can refuse a job, with no write (but that its account still exists, which the
   * insert checks); returns the job's platform (null for a pool job).
   */
  private async check(body: CreateJobBody): Promise<string | null> {
    let platform: string | null = null;
    if (body.accountId) {
      platform = this.accountPlatforms.get(body.accountId) ?? (await this.store.accounts.ownership(body.accountId)).platform;
      this.accountPlatforms.set(body.accountId, platform);
      this.validate(platform, body.type, body.payload ?? {});
    } else if (body.pool) {
      const platforms = await this.store.accounts.platformsOfPool(body.pool);
      if (platforms.length === 0) throw new FleetError('VALIDATION_FAILED', `pool: no account has the tag ${body.pool}`, { field: 'pool' });
      // Any account of the pool may take the job, so it must be valid on every platform in it.
      for (const poolPlatform of platforms) this.validate(poolPlatform, body.type, body.payload ?? {});
    }
    if (body.parentId) await this.store.jobs.require(body.parentId, 'parentId');
    return platform;
  }

  private async insert(
    body: CreateJobBody,
    platform: string | null,
    extra: { monitorId?: string },
    announce = true,
  ): Promise<{ row: JobRow; created: boolean }> {
    const result = await this.store.jobs.create(this.newJob(body, platform, extra)).catch((error: unknown) => {
      if (body.accountId && error instanceof FleetError && error.code === 'ACCOUNT_NOT_FOUND') this.accountPlatforms.delete(body.accountId);
      throw error;
    });
    const announcing = announce && result.created ? this.scheduler.jobs.created(result.row) : undefined;
    if (announcing) await announcing;
    return result;
  }

  private newJob(body: CreateJobBody, platform: string | null, extra: { monitorId?: string }): NewJob {
    return {
      type: body.type,
      platform,
      accountId: body.accountId ?? null,
      pool: body.pool ?? null,
      payload: body.payload ?? {},
      priority: body.priority ?? 0,
      maxAttempts: body.maxAttempts ?? this.scheduler.options.defaultMaxAttempts,
      timeoutMs: body.timeoutMs ?? (platform ? this.declaredTimeout(platform, body.type) : undefined) ?? this.scheduler.options.defaultJobTimeoutMs,
      runAfter: body.runAfter ? Date.parse(body.runAfter) : Date.now(),
      parentId: body.parentId ?? null,
      idempotencyKey: body.idempotencyKey ?? null,
      idempotencyFingerprint: body.idempotencyKey ? requestFingerprint(body) : null,
      monitorId: extra.monitorId ?? null,
    };
  }

  /** The deadline the platform's plugin gives the job type, if it gives one (the longest declared). */
  private declaredTimeout(platform: string, type: string): number | undefined {
    let longest: number | undefined;
    for (const capability of this.scheduler.capabilities.of(platform)) {
      const ms = capability.timeouts?.[type];
      if (ms !== undefined && (longest === undefined || ms > longest)) longest = ms;
    }
    return longest;
  }

  /**
   * The job types of a platform, as the workers that run it declared them. A platform no worker
   * has declared yet is accepted: its jobs wait until a capable worker registers.
   */
  /** Refuses a job type the platform's workers do not declare, or a payload their schema refuses. */
  validate(platform: string, type: string, payload: Record<string, unknown>): void {
    const declared = new Set<string>();
    let known = false;
    let payloadSchema: unknown;
    for (const capability of this.scheduler.capabilities.of(platform)) {
      known = true;
      for (const t of capability.jobTypes) declared.add(t);
      payloadSchema ??= capability.payloadSchemas?.[type];
    }
    if (known && !declared.has(type)) {
      throw new FleetError('UNKNOWN_JOB_TYPE', `type: platform ${platform} has no job type ${type} (it has ${[...declared].sort().join(', ')})`, {
        field: 'type',
      });
    }
    if (payloadSchema !== undefined) parseOrThrow(this.payloadSchemas.get(payloadSchema), payload, 'PAYLOAD_INVALID', 'payload');
  }

  /** Refuses an account for a platform no worker has declared, once any worker has declared some. */
  checkPlatform(platform: string): void {
    const platforms = new Set(this.scheduler.capabilities.platforms());
    if (platforms.size > 0 && !platforms.has(platform)) {
      throw new FleetError('UNKNOWN_PLATFORM', `platform: no worker runs platform ${platform} (known: ${[...platforms].sort().join(', ')})`, {
        field: 'platform',
      });
    }
  }

  /**
   * Deletes an account: refused while a job of it runs; its queued jobs are cancelled, its owner
   * gets a revoke (closing the profile), finished jobs stay in history.
   */
  async deleteAccount(accountId: string): Promise<void> {
    this.accountPlatforms.delete(accountId);
    const account = await this.scheduler.decide(async () => {
      const account = await this.store.accounts.require(accountId, 'id');
      if ((await this.store.jobs.activeAccountIds()).has(accountId))
        throw new FleetError('CONFLICT', `account ${accountId} has a job running; cancel it first`, { field: 'id' });
      for (const job of await this.store.jobs.queuedOf(accountId)) await this.scheduler.jobs.cancelled(job, 'cancelled by request');
      await this.store.monitors.deleteOfAccount(accountId);
      await this.store.accounts.delete(accountId);
      return account;
    });
    if (account.owner_worker_id && this.links.isConnected(account.owner_worker_id)) {
      void this.links.request(account.owner_worker_id, MasterEvent.TaskRevoke, { accountId, epoch: account.epoch, reason: 'account deleted' });
    }
  }

  /**
   * Queued: cancelled at once. Running: the request is recorded on the job, then its worker aborts
   * it and reports `cancelled`; should the worker vanish first, loss, lease expiry or its
   * re-register end the job `cancelled` (never requeued).
   */
  async cancel(jobId: string): Promise<JobView> {
    const job = await this.store.jobs.require(jobId, 'id');
    if (PARENT_JOB_TYPES.has(job.type) && this.stopParent) return this.stopParent(jobId);
    const asked = await this.scheduler.decide(async (): Promise<{ done: JobView } | { workerId: string }> => {
      const job = await this.store.jobs.require(jobId, 'id');
      if (job.status === 'queued' || ((job.status === 'dispatched' || job.status === 'running') && !(job.worker_id && this.links.isConnected(job.worker_id)))) {
        return { done: await this.store.jobs.view(await this.scheduler.jobs.cancelled(job, 'cancelled by request')) };
      }
      if (job.status !== 'dispatched' && job.status !== 'running') {
        throw new FleetError('ILLEGAL_TRANSITION', `job ${jobId} is already ${job.status}; it cannot be cancelled`, { field: 'id' });
      }
      // Durable before it is sent: if the worker acks and then vanishes, the job still ends cancelled.
      return { workerId: (await this.store.jobs.requestCancel(jobId)).worker_id! };
    });
    if ('done' in asked) return asked.done;
    const ack = await this.links.request(asked.workerId, MasterEvent.JobCancel, { jobId, reason: 'cancelled by request' });
    return this.scheduler.decide(async () => {
      const current = await this.store.jobs.require(jobId);
      if (!ack.ok && (current.status === 'dispatched' || current.status === 'running')) {
        // The worker does not know the job (or is gone): nothing runs it, so it is cancelled here.
        this.logger.warn('worker could not cancel job; cancelling at the master', { jobId, error: ack.error });
        return this.store.jobs.view(await this.scheduler.jobs.cancelled(current, 'cancelled by request'));
      }
      return this.store.jobs.view(current);
    });
  }
}

/** `step`'s refusal named as the `i`th job's of a bulk request (`jobs.<i>.<field>`). */
async function namingJob<T>(i: number, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const e = FleetError.from(error);
    throw new FleetError(e.code, `jobs.${i}.${e.message}`, { field: `jobs.${i}${e.field ? `.${e.field}` : ''}` });
  }
}
