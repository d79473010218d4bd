import { ClientEvent, FleetError, MasterEvent, type JobView, type Logger, type TakeoverHold, type TakeoverView } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';
import type { ClientNamespace, Requester } from './live-sockets.js';

interface Hold {
  accountId: string;
  jobId: string | null;
  tokenId: string;
  role: Requester['role'];
  claimedAt: number;
}

/** Job timeline kinds of a takeover (`GET /jobs/:id/events`). */
export const TakeoverEventKind = { Claimed: 'takeover_claimed', Released: 'takeover_released' } as const;

/**
 * Who holds which account's session. A claim tells the owner worker to hold the account's job at
 * its next ctx call; a release ("Done") hands back, and a job waiting in `askHuman` goes on.
 * Each claim and release goes on the timeline of the job that ran when the session was claimed.
 */
export class Takeovers {
  private readonly holds = new Map<string, Hold>();
  private clients: ClientNamespace | undefined;
  /** Told when a person hands an account back (its job's request for a person is answered). */
  onHandBack: ((accountId: string) => void) | undefined;

  constructor(
    private readonly store: FleetBackend,
    private readonly links: WorkerLinks,
    private readonly logger: Logger,
  ) {}

  attach(clients: ClientNamespace): void {
    this.clients = clients;
  }

  async view(accountId: string): Promise<TakeoverView> {
    await this.store.accounts.ownership(accountId, 'id');
    const hold = this.holds.get(accountId);
    return hold
      ? { accountId, jobId: hold.jobId, heldBy: hold.tokenId, claimedAt: new Date(hold.claimedAt).toISOString() }
      : { accountId, jobId: null, heldBy: null, claimedAt: null };
  }

  /** Whether `tokenId` holds the account's session (and so may send it input). */
  isHeldBy(accountId: string, tokenId: string): boolean {
    return this.holds.get(accountId)?.tokenId === tokenId;
  }

  async claim(accountId: string, who: Requester): Promise<TakeoverView> {
    if (who.role === 'viewer') throw new FleetError('FORBIDDEN', 'a viewer may watch but not take over');
    const current = this.holds.get(accountId);
    if (current?.tokenId === who.tokenId) return this.view(accountId);
    if (current) throw new FleetError('CONFLICT', `account ${accountId} is already taken over by ${current.tokenId}`, { field: 'id' });
    const account = await this.store.accounts.ownership(accountId, 'id');
    const owner = account.owner_worker_id;
    if (!owner) throw new FleetError('ACCOUNT_UNASSIGNED', `account ${accountId} has no worker, so there is no page to take over`, { field: 'id' });
    const job = (await this.store.jobs.activeForWorker(owner)).find((j) => j.account_id === accountId);
    const hold: Hold = { accountId, jobId: job?.id ?? null, tokenId: who.tokenId, role: who.role, claimedAt: Date.now() };
    const ack = await this.links.request(owner, MasterEvent.Takeover, { accountId, epoch: account.epoch, action: 'claim', hold: noteOf(hold) });
    if (!ack.ok) throw FleetError.fromJSON(ack.error);
    if (this.holds.has(accountId)) throw new FleetError('CONFLICT', `account ${accountId} was taken over meanwhile`, { field: 'id' });
    this.holds.set(accountId, hold);
    if (hold.jobId) await this.store.jobs.addEvent(hold.jobId, TakeoverEventKind.Claimed, { by: who.tokenId, role: who.role });
    this.logger.info('session taken over', { accountId, jobId: hold.jobId, by: who.tokenId });
    const view = await this.view(accountId);
    this.clients?.emit(ClientEvent.Takeover, view);
    return view;
  }

  /** "Done": hands the session back. The holder or an admin may release it. */
  async release(accountId: string, who: Requester): Promise<TakeoverView> {
    const hold = this.holds.get(accountId);
    if (!hold) throw new FleetError('CONFLICT', `nobody holds the session of account ${accountId}`, { field: 'id' });
    if (hold.tokenId !== who.tokenId && who.role !== 'admin') throw new FleetError('FORBIDDEN', `the session of account ${accountId} is held by another token`);
    return this.end(hold, who.tokenId, 'done');
  }

  /** Tells each held account's current owner again that a person holds it (a restarted worker forgot). */
  async reconcile(): Promise<void> {
    for (const hold of [...this.holds.values()]) {
      const account = await this.store.accounts.ownershipOf(hold.accountId);
      if (account?.owner_worker_id)
        void this.links.request(account.owner_worker_id, MasterEvent.Takeover, {
          accountId: hold.accountId,
          epoch: account.epoch,
          action: 'claim',
          hold: noteOf(hold),
        });
    }
  }

  /**
   * A hold the owner worker still keeps, learnt back after this master restarted: the person keeps
   * the session (and its claim time), so their "Done" resumes the job. No timeline entry: the claim
   * is already on it. A hold this master knows wins.
   */
  restore(accountId: string, note: TakeoverHold): void {
    if (this.holds.has(accountId) || note.role === 'viewer') return;
    const hold: Hold = { accountId, jobId: note.jobId, tokenId: note.by, role: note.role, claimedAt: Date.parse(note.claimedAt) };
    this.holds.set(accountId, hold);
    this.logger.info('session hold learnt back from its worker', { accountId, jobId: hold.jobId, by: hold.tokenId });
    this.clients?.emit(ClientEvent.Takeover, { accountId, jobId: hold.jobId, heldBy: hold.tokenId, claimedAt: note.claimedAt });
  }

  /** A job's end ends the takeover of its page: the page is gone. */
  jobEnded(job: JobView): void {
    if (!job.accountId) return;
    const hold = this.holds.get(job.accountId);
    if (hold && hold.jobId === job.id) void this.end(hold, hold.tokenId, `job ${job.status}`).catch(() => undefined);
  }

  private async end(hold: Hold, by: string, reason: string): Promise<TakeoverView> {
    const { accountId } = hold;
    this.holds.delete(accountId);
    this.onHandBack?.(accountId);
    const heldMs = Date.now() - hold.claimedAt;
    // The job may be gone by now (purged with its account): the hand-back still happens.
    if (hold.jobId && (await this.store.jobs.row(hold.jobId))) await this.store.jobs.addEvent(hold.jobId, TakeoverEventKind.Released, { by, heldMs, reason });
    const account = await this.store.accounts.ownershipOf(accountId);
    if (account?.owner_worker_id) {
      // Best effort: a worker that is gone has no job waiting any more.
      const ack = await this.links.request(account.owner_worker_id, MasterEvent.Takeover, { accountId, epoch: account.epoch, action: 'release' });
      if (!ack.ok) this.logger.warn('the worker did not take the release', { accountId, error: ack.error });
    }
    this.logger.info('session handed back', { accountId, jobId: hold.jobId, by, heldMs, reason });
    const view: TakeoverView = { accountId, jobId: hold.jobId, heldBy: null, claimedAt: null, heldMs };
    this.clients?.emit(ClientEvent.Takeover, view);
    return view;
  }
}

/** The note the owner worker keeps of a hold, to give it back to a restarted master. */
function noteOf(hold: Hold): TakeoverHold {
  return { by: hold.tokenId, role: hold.role, claimedAt: new Date(hold.claimedAt).toISOString(), jobId: hold.jobId };
}
