import { FleetError, type AccountStep, type CreateBatchBody, type CreateInviteFlowBody, type JobView, type Logger } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { JobRow } from '../store/backend/records.js';
import type { JobCommands } from './job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { requestFingerprint } from './request-fingerprint.js';
import { flowOfType, INVITE_FLOW, type FlowDefinition } from './flows.js';

interface ParentOptions {
  stopOnFailure?: boolean;
  /** A flow's members: each gets the follower job once the lead succeeded. */
  members?: FlowMember[];
}

interface FlowMember {
  accountId: string;
  /** What the member's follower job is given (for an invite flow, the invited address). */
  email: string;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Batches and flows: a parent job the master runs itself. Its progress is its children's
 * (finished / total, plus the current child's percent); stopping it cancels the unfinished
 * children and keeps the finished ones; a failed child stops its siblings only if asked.
 * Each command, and what a child's change sets off, runs in a decision of its own.
 */
export class ParentJobs {
  constructor(
    private readonly store: FleetBackend,
    private readonly scheduler: Scheduler,
    private readonly commands: JobCommands,
    private readonly logger: Logger,
  ) {
    commands.stopParent = (jobId) => this.stop(jobId);
    // In the child's decision: a child's move or its own progress (the current child's percent
    // counts) moves its parent's too.
    scheduler.onJobChange((job) => (job.parentId ? this.childChanged(job.parentId) : undefined));
  }

  /** A decision of its own. */
  async createBatch(body: CreateBatchBody): Promise<{ job: JobView; created: boolean }> {
    return this.scheduler.decide(async () => {
      const { row, created } = await this.createParent('batch', { stopOnFailure: body.stopOnFailure ?? false }, body.idempotencyKey, body.priority ?? 0, body);
      if (created) {
        for (const [i, child] of body.children.entries()) {
          try {
            await this.commands.create({ ...child, parentId: row.id, priority: child.priority ?? body.priority ?? 0 });
          } catch (error) {
            const e = FleetError.from(error);
            throw new FleetError(e.code, `children.${i}.${e.message}`, { field: `children.${i}${e.field ? `.${e.field}` : ''}` });
          }
        }
      }
      return { job: await this.view(row.id), created };
    });
  }

  /** The invite flow: `invite` on the owner now; `accept_invite` on each member once the invite succeeded. */
  async createInviteFlow(body: CreateInviteFlowBody): Promise<{ job: JobView; created: boolean }> {
    return this.scheduler.decide(async () => {
      await this.store.accounts.require(body.ownerAccountId, 'ownerAccountId');
      for (const [i, m] of body.members.entries()) await this.store.accounts.require(m.accountId, `members.${i}.accountId`);
      const { row, created } = await this.createParent(INVITE_FLOW.type, { members: body.members }, body.idempotencyKey, 0, body);
      if (created) {
        await this.commands.create({
          type: INVITE_FLOW.leadType,
          accountId: body.ownerAccountId,
          payload: { ...(body.invitePayload ?? {}), emails: body.members.map((m) => m.email) },
          parentId: row.id,
        });
      }
      return { job: await this.view(row.id), created };
    });
  }

  /** `body` is the whole request, fingerprinted for its idempotency key. */
  private createParent(
    type: string,
    options: ParentOptions,
    idempotencyKey: string | undefined,
    priority: number,
    body: unknown,
  ): Promise<{ row: JobRow; created: boolean }> {
    return this.store.jobs.create({
      type,
      platform: null,
      accountId: null,
      pool: null,
      payload: {},
      priority,
      maxAttempts: 1,
      timeoutMs: this.scheduler.options.defaultJobTimeoutMs,
      runAfter: Date.now(),
      parentId: null,
      idempotencyKey: idempotencyKey ?? null,
      // The kind of parent is part of the request: a batch's key re-posted as a flow is another request.
      idempotencyFingerprint: idempotencyKey ? requestFingerprint({ type, body }) : null,
      options: options as Record<string, unknown>,
      status: 'running',
    });
  }

  /** Stops a parent: unfinished children are cancelled, finished ones stay as they are. */
  async stop(parentId: string, reason = 'parent stopped'): Promise<JobView> {
    await this.scheduler.decide(async () => {
      const parent = await this.store.jobs.require(parentId, 'id');
      if (FINISHED.has(parent.status))
        throw new FleetError('ILLEGAL_TRANSITION', `job ${parentId} is already ${parent.status}; it cannot be cancelled`, { field: 'id' });
      await this.finish(parent, 'cancelled', { code: 'JOB_CANCELLED', message: reason });
    });
    await this.cancelUnfinished(parentId);
    return this.view(parentId);
  }

  private async cancelUnfinished(parentId: string): Promise<void> {
    for (const child of await this.store.jobs.children(parentId)) {
      if (FINISHED.has(child.status)) continue;
      try {
        await this.commands.cancel(child.id);
      } catch (error) {
        this.logger.warn('could not cancel a child job', { parentId, jobId: child.id, error });
      }
    }
  }

  private async childChanged(parentId: string): Promise<void> {
    const parent = await this.store.jobs.row(parentId);
    if (!parent || FINISHED.has(parent.status)) return;
    const options = JSON.parse(parent.options) as ParentOptions;
    const flow = flowOfType(parent.type);
    if (flow) await this.advanceFlow(flow, parent, options);
    const tally = await this.store.jobs.childTally(parentId);
    if (tally.failed > 0) {
      // In a flow, a failed lead stops everything; in a batch, any failure does if it asked for that.
      const stopper = flow
        ? await this.store.jobs.firstChild(parentId, 'failed', flow.leadType)
        : options.stopOnFailure
          ? await this.store.jobs.firstChild(parentId, 'failed')
          : undefined;
      if (stopper) {
        await this.finish(parent, 'failed', {
          code: stopper.error_code ?? 'INTERNAL_ERROR',
          message: `child ${stopper.id} (${stopper.type}) failed: ${stopper.error_message ?? ''}`,
        });
        // Its own decisions, after this one: a cancel waits for workers.
        void this.cancelUnfinished(parentId);
        return;
      }
    }
    const awaitingMembers =
      flow !== undefined &&
      (options.members?.length ?? 0) > 0 &&
      !(await this.store.jobs.firstChildOfType(parentId, flow.followerType)) &&
      !(await this.skippedAll(parent));
    if (tally.finished === tally.total && tally.total > 0 && !awaitingMembers) {
      if (tally.failed > 0)
        await this.finish(parent, 'failed', {
          code: (await this.store.jobs.firstChild(parentId, 'failed'))?.error_code ?? 'INTERNAL_ERROR',
          message: `${tally.failed} of ${tally.total} children failed`,
        });
      else if (tally.cancelled > 0) await this.finish(parent, 'cancelled', { code: 'JOB_CANCELLED', message: 'a child was cancelled' });
      else await this.finish(parent, 'succeeded');
      return;
    }
    const percent = tally.total === 0 ? 0 : ((tally.finished + (tally.currentPercent ?? 0) / 100) / tally.total) * 100;
    const rounded = Math.round(percent * 10) / 10;
    const step = `${tally.finished}/${tally.total} finished`;
    // A child's dispatch or start moves nothing the parent shows: no event, no write.
    if (rounded === parent.progress_percent && step === parent.progress_step) return;
    const row = await this.store.jobs.setProgress(parentId, rounded, step, null);
    await this.scheduler.jobProgressed(await this.store.jobs.view(row));
  }

  /** Once the lead succeeded, each member that has not done the follower's step yet gets its follower job. */
  private async advanceFlow(flow: FlowDefinition, parent: JobRow, options: ParentOptions): Promise<void> {
    const children = await this.store.jobs.children(parent.id);
    const lead = children.find((c) => c.type === flow.leadType);
    if (lead?.status !== 'succeeded' || children.some((c) => c.type === flow.followerType) || (await this.skippedAll(parent))) return;
    let created = 0;
    for (const member of options.members ?? []) {
      const done = await this.stepAlreadyDone(flow, member);
      if (done) {
        await this.store.jobs.addEvent(parent.id, 'skipped', { accountId: member.accountId, reason: `the account's ${done} step is already done` });
        continue;
      }
      await this.commands.create({ type: flow.followerType, accountId: member.accountId, payload: { email: member.email }, parentId: parent.id });
      created += 1;
    }
    if (created === 0) await this.store.jobs.addEvent(parent.id, 'members_done', { reason: `every member had already done what ${flow.followerType} does` });
  }

  /** The step the member's follower job would move, if the member's account already finished it. */
  private async stepAlreadyDone(flow: FlowDefinition, member: FlowMember): Promise<AccountStep | undefined> {
    const account = await this.store.accounts.row(member.accountId);
    if (!account) return undefined;
    const step = this.scheduler.capabilities.stepOf(account.platform, flow.followerType);
    return step !== undefined && account[`${step}_status`] === 'success' ? step : undefined;
  }

  private async skippedAll(parent: JobRow): Promise<boolean> {
    return (await this.store.jobs.events(parent.id)).some((e) => e.kind === 'members_done');
  }

  private async finish(parent: JobRow, status: 'succeeded' | 'failed' | 'cancelled', error?: { code: string; message: string }): Promise<void> {
    await this.scheduler.jobs.parentEnded(parent.id, status, error);
  }

  private async view(id: string): Promise<JobView> {
    return this.store.jobs.view(await this.store.jobs.require(id));
  }
}
