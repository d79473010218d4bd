import { Namespace as Ns, type Logger } from '@fleetwright/shared';
import type { Server } from 'socket.io';
import type { Router } from 'express';
import type { FleetEvents } from '../events/fleet-events.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import { HumanRequests } from './human-requests.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { LiveRelay } from './live-relay.js';
import { recoverLiveState } from './live-state-recovery.js';
import type { ClientNamespace, WorkerNamespace } from './live-sockets.js';
import { takeoverRoutes } from './takeover-routes.js';
import { Takeovers } from './takeovers.js';

/** How often watched and held accounts are told to their owners again. */
const RECONCILE_INTERVAL_MS = 5000;

/** People in the loop, at the master: live view, takeovers and jobs asking for a person. */
export class LiveView {
  readonly takeovers: Takeovers;
  readonly relay: LiveRelay;
  readonly requests: HumanRequests;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: FleetBackend,
    links: WorkerLinks,
    private readonly decisions: Pick<Scheduler, 'decide'>,
    private readonly logger: Logger,
  ) {
    this.takeovers = new Takeovers(store, links, logger);
    this.relay = new LiveRelay(store, links, this.takeovers, logger);
    this.requests = new HumanRequests(store, decisions, logger);
    this.takeovers.onHandBack = (accountId) => this.requests.handedBack(accountId);
  }

  routes(): Router {
    return takeoverRoutes(this.takeovers);
  }

  attach(io: Server, events: FleetEvents): void {
    const clients = io.of(Ns.Client) as ClientNamespace;
    const workers = io.of(Ns.Worker) as WorkerNamespace;
    this.takeovers.attach(clients);
    this.relay.attach(clients, workers);
    this.requests.attach(clients, workers);
    recoverLiveState(this.store, this.decisions, this.takeovers, this.requests, workers, this.logger);
    events.on('job:done', (job) => {
      this.requests.jobEnded(job.id);
      this.takeovers.jobEnded(job);
    });
    this.timer = setInterval(() => {
      this.relay.reconcile();
      this.takeovers.reconcile().catch((error: unknown) => this.logger.warn('could not tell owners of held sessions again', { error }));
    }, RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
