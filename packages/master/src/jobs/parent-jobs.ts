import { FleetError, type CreateBatchBody, type CreateInviteFlowBody, type JobView, type Logger } from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
import type { JobRow } from '../store/job-store.js';
import type { JobCommands } from './job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { requestFingerprint } from './request-fingerprint.js';
import type { FleetEvents } from '../events/fleet-events.js';

interface ParentOptions {
  stopOnFailure?: boolean;
  /** Invite flow: members still to join once the owner's invite succeeded. */
  members?: { accountId: string; email: string }[];
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Batches and flows: a parent job the master runs itself. Its progress is its children's
 * (finished / total, plus the current child's percent); stopping it cancels the unfinished
 * children and keeps the finished ones; a failed child stops its siblings only if asked.
 */
export class ParentJobs {
  constructor(
    private readonly store: FleetStore,
    private readonly scheduler: Scheduler,
    private readonly events: FleetEvents,
    private readonly commands: JobCommands,
    private readonly logger: Logger,
  ) {
    commands.stopParent = (jobId) => this.stop(jobId);
    events.on('job:changed', (job) => {
      if (job.parentId) this.childChanged(job.parentId);
    });
    // A child's own progress moves its parent's too (the current child's percent counts).
    events.on('job:progress', (job) => {
      if (job.parentId) this.childChanged(job.parentId);
    });
  }

  createBatch(body: CreateBatchBody): { job: JobView; created: boolean } {
    return this.store.atomically(() => {
      const { row, created } = this.createParent('batch', { stopOnFailure: body.stopOnFailure ?? false }, body.idempotencyKey, body.priority ?? 0, body);
      if (created) {
        body.children.forEach((child, i) => {
          try {
            this.commands.create({ ...child, parentId: row.id, priority: child.priority ?? body.priority ?? 0 });
          } catch (error) {
            const e = FleetError.from(error);
            throw new FleetError(e.code, `children.${i}.${e.message}`, { field: `children.${i}${e.field ? `.${e.field}` : ''}` });
          }
        });
      }
      return { job: this.view(row.id), created };
    });
  }

  /** `invite` on the owner now; `accept_invite` on each member once the invite succeeded. */
  createInviteFlow(body: CreateInviteFlowBody): { job: JobView; created: boolean } {
    return this.store.atomically(() => {
      this.store.accounts.require(body.ownerAccountId, 'ownerAccountId');
      body.members.forEach((m, i) => {
        this.store.accounts.require(m.accountId, `members.${i}.accountId`);
      });
      const { row, created } = this.createParent('invite_flow', { members: body.members }, body.idempotencyKey, 0, body);
      if (created) {
        this.commands.create({
          type: 'invite',
          accountId: body.ownerAccountId,
          payload: { ...(body.invitePayload ?? {}), emails: body.members.map((m) => m.email) },
          parentId: row.id,
        });
      }
      return { job: this.view(row.id), created };
    });
  }

  /** `body` is the whole request, fingerprinted for its idempotency key. */
  private createParent(
    type: string,
    options: ParentOptions,
    idempotencyKey: string | undefined,
    priority: number,
    body: unknown,
  ): { row: JobRow; created: boolean } {
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
    const parent = this.store.jobs.require(parentId, 'id');
    if (FINISHED.has(parent.status))
      throw new FleetError('ILLEGAL_TRANSITION', `job ${parentId} is already ${parent.status}; it cannot be cancelled`, { field: 'id' });
    this.finish(parent, 'cancelled', { code: 'JOB_CANCELLED', message: reason });
    await this.cancelUnfinished(parentId);
    return this.view(parentId);
  }

  private async cancelUnfinished(parentId: string): Promise<void> {
    for (const child of this.store.jobs.children(parentId)) {
      if (FINISHED.has(child.status)) continue;
      try {
        await this.commands.cancel(child.id);
      } catch (error) {
        this.logger.warn('could not cancel a child job', { parentId, jobId: child.id, error });
      }
    }
  }

  private childChanged(parentId: string): void {
    const parent = this.store.jobs.row(parentId);
    if (!parent || FINISHED.has(parent.status)) return;
    const options = JSON.parse(parent.options) as ParentOptions;
    const flow = parent.type === 'invite_flow';
    if (flow) this.advanceInviteFlow(parent, options);
    const tally = this.store.jobs.childTally(parentId);
    if (tally.failed > 0) {
      // In a flow, a failed invite stops everything; in a batch, any failure does if it asked for that.
      const stopper = flow
        ? this.store.jobs.firstChild(parentId, 'failed', 'invite')
        : options.stopOnFailure
          ? this.store.jobs.firstChild(parentId, 'failed')
          : undefined;
      if (stopper) {
        this.finish(parent, 'failed', {
          code: stopper.error_code ?? 'INTERNAL_ERROR',
          message: `child ${stopper.id} (${stopper.type}) failed: ${stopper.error_message ?? ''}`,
        });
        void this.cancelUnfinished(parentId);
        return;
      }
    }
    const awaitingMembers =
      flow && (options.members?.length ?? 0) > 0 && !this.store.jobs.firstChildOfType(parentId, 'accept_invite') && !this.skippedAll(parent);
    if (tally.finished === tally.total && tally.total > 0 && !awaitingMembers) {
      if (tally.failed > 0)
        this.finish(parent, 'failed', {
          code: this.store.jobs.firstChild(parentId, 'failed')?.error_code ?? 'INTERNAL_ERROR',
          message: `${tally.failed} of ${tally.total} children failed`,
        });
      else if (tally.cancelled > 0) this.finish(parent, 'cancelled', { code: 'JOB_CANCELLED', message: 'a child was cancelled' });
      else this.finish(parent, 'succeeded');
      return;
    }
    const percent = tally.total === 0 ? 0 : ((tally.finished + (tally.currentPercent ?? 0) / 100) / tally.total) * 100;
    const rounded = Math.round(percent * 10) / 10;
    const step = `${tally.finished}/${tally.total} finished`;
    // A child's dispatch or start moves nothing the parent shows: no event, no write.
    if (rounded === parent.progress_percent && step === parent.progress_step) return;
    const row = this.store.jobs.setProgress(parentId, rounded, step, null);
    this.events.emit('job:progress', this.store.jobs.view(row));
  }

  /** Once the owner's invite succeeded, each member that has not joined yet gets its accept_invite. */
  private advanceInviteFlow(parent: JobRow, options: ParentOptions): void {
    const children = this.store.jobs.children(parent.id);
    const invite = children.find((c) => c.type === 'invite');
    if (invite?.status !== 'succeeded' || children.some((c) => c.type === 'accept_invite') || this.skippedAll(parent)) return;
    let created = 0;
    for (const member of options.members ?? []) {
      const account = this.store.accounts.row(member.accountId);
      if (account?.team_join_status === 'success') {
        this.store.jobs.addEvent(parent.id, 'skipped', { accountId: member.accountId, reason: 'already joined the team' });
        continue;
      }
      this.commands.create({ type: 'accept_invite', accountId: member.accountId, payload: { email: member.email }, parentId: parent.id });
      created += 1;
    }
    if (created === 0) this.store.jobs.addEvent(parent.id, 'members_done', { reason: 'every member had already joined' });
  }

  private skippedAll(parent: JobRow): boolean {
    return this.store.jobs.events(parent.id).some((e) => e.kind === 'members_done');
  }

  private finish(parent: JobRow, status: 'succeeded' | 'failed' | 'cancelled', error?: { code: string; message: string }): void {
    this.scheduler.jobs.parentEnded(parent.id, status, error);
  }

  private view(id: string): JobView {
    return this.store.jobs.view(this.store.jobs.require(id));
  }
}
