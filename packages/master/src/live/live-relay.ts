import {
  ClientEvent,
  ClientRequest,
  FleetError,
  MasterEvent,
  WorkerEvent,
  onValidated,
  type LiveFrameEvent,
  type LiveWatchReply,
  type Logger,
  type WorkerLiveFrame,
} from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';
import { accountOfLiveRoom, liveRoomOf, type ClientNamespace, type ClientSocket, type WorkerNamespace } from './live-sockets.js';
import type { Takeovers } from './takeovers.js';

/**
 * The live view's relay: a `/client` socket watches an account by joining its room; the owner
 * worker streams frames while the room has anyone in it, and they go to that room only. A person
 * holding the session sends input through here to the worker.
 */
export class LiveRelay {
  /** The newest frame of each watched account: a new watcher sees the page at once, even a still one. */
  private readonly lastFrames = new Map<string, LiveFrameEvent>();
  private clients: ClientNamespace | undefined;

  constructor(
    private readonly store: FleetBackend,
    private readonly links: WorkerLinks,
    private readonly takeovers: Takeovers,
    private readonly logger: Logger,
  ) {}

  attach(clients: ClientNamespace, workers: WorkerNamespace): void {
    this.clients = clients;
    clients.on('connection', (socket) => this.onClient(socket));
    workers.on('connection', (socket) => {
      onValidated(socket, WorkerEvent.LiveFrame, (frame) => this.frame(socket.data.workerId, frame), this.logger);
    });
  }

  /**
   * Asks each watched account's current owner to stream it. Idempotent on the worker; it heals a
   * worker that restarted, or an account that moved to another worker while watched.
   */
  reconcile(): void {
    for (const room of this.clients?.adapter.rooms.keys() ?? []) {
      const accountId = accountOfLiveRoom(room);
      if (accountId && this.watchers(accountId) > 0) void this.stream(accountId, true);
    }
  }

  watchers(accountId: string): number {
    return this.clients?.adapter.rooms.get(liveRoomOf(accountId))?.size ?? 0;
  }

  private onClient(socket: ClientSocket): void {
    onValidated(socket, ClientRequest.LiveWatch, (body) => this.watch(socket, body.accountId), this.logger);
    onValidated(socket, ClientRequest.LiveUnwatch, (body) => this.unwatch(socket, body.accountId), this.logger);
    onValidated(
      socket,
      ClientRequest.LiveInput,
      async (body) => {
        if (!this.takeovers.isHeldBy(body.accountId, socket.data.tokenId))
          throw new FleetError('FORBIDDEN', `claim the session of account ${body.accountId} before sending it input`);
        const account = await this.store.accounts.ownership(body.accountId);
        if (!account.owner_worker_id) throw new FleetError('ACCOUNT_UNASSIGNED', `account ${body.accountId} has no worker`, { field: 'accountId' });
        const ack = await this.links.request(account.owner_worker_id, MasterEvent.LiveInput, {
          accountId: body.accountId,
          epoch: account.epoch,
          input: body.input,
        });
        if (!ack.ok) throw FleetError.fromJSON(ack.error);
      },
      this.logger,
    );
    socket.on('disconnecting', () => {
      const watched = [...socket.rooms].flatMap((room) => accountOfLiveRoom(room) ?? []);
      // Rooms are left after this event: look again once they are.
      setImmediate(() => {
        for (const accountId of watched) if (this.watchers(accountId) === 0) void this.stream(accountId, false);
      });
    });
  }

  private async watch(socket: ClientSocket, accountId: string): Promise<LiveWatchReply> {
    await this.store.accounts.ownership(accountId);
    const first = this.watchers(accountId) === 0;
    await socket.join(liveRoomOf(accountId));
    // Not awaited: a watcher need not wait for a slow worker; frames come when it starts.
    if (first) void this.stream(accountId, true);
    const last = this.lastFrames.get(accountId);
    if (last) socket.emit(ClientEvent.LiveFrame, last);
    return { accountId, watchers: this.watchers(accountId) };
  }

  private async unwatch(socket: ClientSocket, accountId: string): Promise<LiveWatchReply> {
    await socket.leave(liveRoomOf(accountId));
    const watchers = this.watchers(accountId);
    if (watchers === 0) void this.stream(accountId, false);
    return { accountId, watchers };
  }

  /** Tells the owner to start or stop the screencast. Watching an account without a worker just waits for frames. */
  private async stream(accountId: string, watching: boolean): Promise<void> {
    if (!watching) this.lastFrames.delete(accountId);
    const account = await this.store.accounts.ownershipOf(accountId);
    if (!account?.owner_worker_id) return;
    const ack = await this.links.request(account.owner_worker_id, MasterEvent.LiveWatch, { accountId, epoch: account.epoch, watching });
    if (!ack.ok) this.logger.warn('the worker did not take a live-view change', { accountId, watching, error: ack.error });
  }

  /** Only the owner at the current epoch streams an account, and only to its watchers. */
  private async frame(workerId: string, frame: WorkerLiveFrame): Promise<void> {
    const account = await this.store.accounts.ownership(frame.accountId);
    if (account.owner_worker_id !== workerId || account.epoch !== frame.epoch)
      throw new FleetError('STALE_EPOCH', `worker ${workerId} does not hold account ${frame.accountId} at epoch ${frame.epoch}`, { field: 'epoch' });
    if (this.watchers(frame.accountId) === 0) {
      // Nobody watches (the last one just left): tell the worker again, it may have missed it.
      void this.stream(frame.accountId, false);
      return;
    }
    const { epoch: _epoch, ...event } = frame;
    this.lastFrames.set(frame.accountId, event);
    this.clients?.to(liveRoomOf(frame.accountId)).emit(ClientEvent.LiveFrame, event);
  }
}
