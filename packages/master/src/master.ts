import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server } from 'socket.io';
import { createApp } from './http/app.js';
import { ClientGateway } from './io/client-gateway.js';
import { ClientRequestsToLeader } from './io/client-requests-to-leader.js';
import { WorkerGateway } from './io/worker-gateway.js';
import { coalesceWritesPerTurn } from './io/turn-writes.js';
import { closeSocketServer } from './io/engine-connections.js';
import { jobEndsInStream, masterSocketAdapter } from './io/socket-adapters.js';
import type { MasterOptions } from './master-options.js';
import { JobCommands } from './jobs/job-commands.js';
import { JobReports } from './jobs/job-reports.js';
import { BrowserCommands } from './accounts/browser-commands.js';
import { Scheduler } from './scheduler/scheduler.js';
import { ParentJobs } from './jobs/parent-jobs.js';
import { Monitors } from './monitors/monitors.js';
import { Retention } from './jobs/retention.js';
import { FleetStore } from './store/sqlite/fleet-store.js';
import { FleetMetrics } from './metrics/fleet-metrics.js';
import { SqliteBackend } from './store/sqlite/sqlite-backend.js';
import { PostgresBackend } from './store/postgres/postgres-backend.js';
import { Leadership } from './scheduler/leadership.js';
import { AnnouncementMark } from './events/announcement-mark.js';
import { Redis } from 'ioredis';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FleetBackend } from './store/backend/fleet-backend.js';
import { credentialWorkerAuth } from './http/worker-auth.js';
import { restJobLinks } from './http/rest-links.js';
import { FleetEvents } from './events/fleet-events.js';
import { LiveView } from './live/live-view.js';
import { AccountBrowsers } from './accounts/account-browsers.js';
import { BrowserMirror } from './accounts/browser-mirror.js';
import { LiveLogs } from './jobs/live-logs.js';
import { limitRoutes } from './limits/limit-routes.js';

/** How far apart Redis's clock and a master's may be, for reading the events stream from a master's time. */
const STREAM_CLOCK_MARGIN_MS = 5000;

/** The master node: its store (SQLite in the data dir, or PostgreSQL), scheduler, REST API, and the `/worker` and `/client` namespaces. */
export class Master {
  private readonly sqlite: FleetStore | undefined;
  /** This master's name among those sharing a store (`FLEET_MASTER_ID`). */
  readonly masterId: string;
  /** Set when several masters may share the store (PostgreSQL): who holds the leader lease. */
  readonly leadership: Leadership | undefined;
  private announcementMark: AnnouncementMark | undefined;
  /** How many times this master took up or lost the lead (metrics). */
  leaderChanges = 0;
  private shuttingDown = false;
  /** The scheduler's start after this master was elected, while it runs. */
  private takingLead: Promise<void> | undefined;
  /** With several masters: the Redis their Socket.IO servers share events through. */
  private readonly redis: Redis | undefined;
  private readonly browserMirror: BrowserMirror | undefined;
  /** Resolves once the backend can answer (PostgreSQL's migrations ran). */
  private readonly backendReady: Promise<void>;
  /** The durable state behind its backend interface (the SQLite adapter over `store`). */
  readonly backend: FleetBackend;
  readonly scheduler: Scheduler;
  readonly commands: JobCommands;
  readonly parents: ParentJobs;
  readonly monitors: Monitors;
  readonly retention: Retention;
  readonly metrics: FleetMetrics;
  /** Each account's browser as its worker last reported it (memory only: heartbeats rebuild it). */
  readonly browsers: AccountBrowsers;
  /** Running jobs' run.log lines as they stream in (memory only). */
  readonly liveLogs = new LiveLogs();
  private readonly workers: WorkerGateway;
  private readonly clients: ClientGateway;
  /** Live view, takeovers and jobs asking for a person. */
  readonly live: LiveView;
  /** What happens in the fleet: the bus the gateway, metrics, monitors and parent jobs listen on. */
  readonly events: FleetEvents;
  private readonly server: http.Server;
  private readonly io: Server;
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: MasterOptions) {
    const logger = options.logger;
    this.browsers = new AccountBrowsers();
    this.masterId = options.masterId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const artifactsDir = path.join(options.dataDir, 'artifacts');
    if (options.databaseUrl) {
      const backend = PostgresBackend.connect(options.databaseUrl, {
        secretKey: options.secretKey,
        adminToken: options.apiToken,
        workerToken: options.workerToken,
        artifactsDir,
        jobLinks: restJobLinks,
        browsers: this.browsers,
        onConnectionError: (error) => logger.warn('a PostgreSQL connection failed; the pool opens another', { error }),
      });
      this.backend = backend;
      this.backendReady = backend.migrate();
      // Known before start() awaits it: an unreachable database is reported there, not as an unhandled rejection.
      this.backendReady.catch(() => undefined);
    } else {
      this.sqlite = new FleetStore(path.join(options.dataDir, 'master.db'), options.secretKey, {
        adminToken: options.apiToken,
        synchronous: options.dbSynchronous,
        jobLinks: restJobLinks,
        browsers: this.browsers,
      });
      this.backend = new SqliteBackend(this.sqlite, { artifactsDir, workerToken: options.workerToken });
      this.backendReady = Promise.resolve();
    }
    // On PostgreSQL several masters may share the store: the holder of the leader lease decides.
    this.leadership = options.databaseUrl
      ? new Leadership(this.backend.leases, { masterId: this.masterId, ...(options.leaderLeaseMs ? { ttlMs: options.leaderLeaseMs } : {}) }, logger)
      : undefined;
    const leadership = this.leadership;
    this.workers = new WorkerGateway(this.backend, this.browsers, logger, this.backend.workerCredentials, leadership ? { leadership } : {});
    this.events = new FleetEvents();
    this.scheduler = new Scheduler(
      this.backend,
      this.workers,
      logger,
      {
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
        ...(options.tickIntervalMs ? { tickIntervalMs: options.tickIntervalMs } : {}),
        ...(options.retryBaseMs ? { retryBaseMs: options.retryBaseMs } : {}),
        ...(options.accountFailoverMs ? { accountFailoverMs: options.accountFailoverMs } : {}),
        ...(options.closedConnectionFailoverMs ? { closedConnectionFailoverMs: options.closedConnectionFailoverMs } : {}),
        ...(leadership ? { fence: () => leadership.fence() } : {}),
      },
      this.events,
      this.browsers,
    );
    this.commands = new JobCommands(this.backend, this.scheduler, this.workers, logger);
    const reports = new JobReports(this.backend, this.liveLogs, this.scheduler, this.events, this.workers, logger);
    const browsers = new BrowserCommands(this.backend, this.browsers, this.scheduler, this.workers, logger);
    this.clients = new ClientGateway(this.browsers, this.backend.tokens, this.commands, logger, {
      allowedOrigins: options.allowedOrigins ?? [],
      ...(options.maxQueuedClientPackets ? { maxQueuedPackets: options.maxQueuedClientPackets } : {}),
      ...(this.leadership ? { toLeader: new ClientRequestsToLeader(() => this.writeTarget(), this.masterId) } : {}),
    });
    this.parents = new ParentJobs(this.backend, this.scheduler, this.commands, logger);
    this.monitors = new Monitors(this.backend, this.scheduler, this.commands, logger);
    this.metrics = new FleetMetrics(this.backend, this.scheduler, this.events, () => ({ leading: this.masters.leading, changes: this.leaderChanges }));
    this.live = new LiveView(this.backend, this.workers, this.scheduler, logger);
    this.retention = new Retention(this.backend, this.scheduler, logger, options.retentionMs ? { retentionMs: options.retentionMs } : {});
    this.server = http.createServer(
      createApp({
        backend: this.backend,
        liveLogs: this.liveLogs,
        scheduler: this.scheduler,
        commands: this.commands,
        parents: this.parents,
        monitors: this.monitors,
        workers: this.workers,
        workerAuth: options.workerAuth ?? credentialWorkerAuth(this.backend.workerCredentials),
        maxArtifactBytes: options.maxArtifactBytes,
        trustProxy: options.trustProxy,
        metricsToken: options.metricsToken,
        reports,
        browsers,
        dashboardDir: options.dashboardDir,
        // Only where several masters may share the store: a lone SQLite master's /health stays as it was.
        ...(leadership ? { masters: () => this.masters, writeTarget: () => this.writeTarget() } : {}),
        metrics: this.metrics,
        extraRoutes: [this.live.routes(), limitRoutes(this.scheduler, this.backend)],
        logger,
      }),
    );
    // Masters sharing a database share their events through Redis: a dashboard or upstream client
    // on any master hears what the leader decides, and one that reconnects to another master gets
    // what it missed meanwhile (connection-state recovery; the handshake's checks run again).
    // Auto-pipelining: the events one turn publishes (XADD, one per job move and heartbeat) leave in
    // one write instead of a syscall each; the adapter's readers are duplicates and get it too,
    // where each has one command in flight at a time.
    this.redis = options.databaseUrl && options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: null, enableAutoPipelining: true }) : undefined;
    this.redis?.on('error', (error) => logger.warn("Redis for the masters' events is out of reach", { error }));
    this.io = new Server(this.server, {
      serveClient: false,
      maxHttpBufferSize: 8e6,
      ...(this.redis
        ? {
            adapter: masterSocketAdapter(this.redis, () => this.leadership?.leading ?? true),
            connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: false },
          }
        : {}),
    });
    coalesceWritesPerTurn(this.io);
    this.workers.attach(this.io, this.scheduler, reports, browsers);
    this.clients.attach(this.io, this.events);
    this.live.attach(this.io, this.events);
    // Masters that share events share the leader's browser readings too.
    if (this.leadership && this.redis) {
      this.browserMirror = new BrowserMirror(this.io, this.browsers, () => this.masters.leading, logger);
      this.browserMirror.attach();
    }
    if (this.leadership) {
      const redis = this.redis;
      this.announcementMark = new AnnouncementMark({
        leadership: this.leadership,
        decided: () => this.scheduler.decided(),
        // Commands on one connection are answered in order: once the PING is, so are the XADDs before it.
        published: async () => {
          await redis?.ping();
        },
        jobs: this.backend.jobs,
        // The stream's ids are Redis's clock, the mark the old leader's: a margin for the two to differ.
        ...(redis ? { publishedEndsSince: (since: number) => jobEndsInStream(redis, since - STREAM_CLOCK_MARGIN_MS) } : {}),
        announceEnd: (job) => this.clients.announceEndAgain(job),
        logger,
      });
      this.announcementMark.attach();
    }
  }

  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (!address) throw new Error('Master is not started');
    const host = !this.options.host || this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host;
    return `http://${host}:${address.port}`;
  }

  /** The SQLite store under the backend, for tests and tools that read the file; throws on PostgreSQL. */
  get store(): FleetStore {
    if (!this.sqlite) throw new Error('this master keeps its state in PostgreSQL (FLEET_DATABASE_URL), not in SQLite');
    return this.sqlite;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.backendReady;
    if (this.leadership) {
      this.leadership.onChange((leading) => void this.leadershipChanged(leading));
      await this.leadership.start();
      // Elected at once: answer only once the view is rebuilt, as a lone master does.
      await this.takingLead;
    } else await this.scheduler.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 3000, this.options.host, () => resolve());
    });
    if (this.leadership) await this.backend.leases.announce(this.masterId, this.publicUrl());
    if (this.leadership && !this.leadership.leading) void this.browserMirror?.following();
    this.options.logger.info('master listening', { url: this.url });
  }

  /** Which master this is, and which leads. */
  get masters(): { self: string; leader: string | null; leading: boolean } {
    const leading = this.leadership?.leading ?? true;
    return { self: this.masterId, leader: leading ? this.masterId : (this.leadership?.leader ?? null), leading };
  }

  /** Where a REST write goes: here when this master leads, else the leader's announced URL. */
  private async writeTarget(): Promise<'self' | string | undefined> {
    if (!this.leadership || this.leadership.leading) return 'self';
    const leader = this.leadership.leader;
    return leader ? this.backend.leases.urlOf(leader) : undefined;
  }

  /** The base URL other masters reach this one at: `publicUrl`, else the listening address. */
  private publicUrl(): string {
    if (this.options.publicUrl) return this.options.publicUrl.replace(/\/+$/, '');
    const address = this.server.address() as AddressInfo;
    const wildcard = !this.options.host || this.options.host === '0.0.0.0' || this.options.host === '::';
    return `http://${wildcard ? os.hostname() : this.options.host}:${address.port}`;
  }

  /**
   * Elected: rebuild the view from the store, as a restarted master does, and run the passes.
   * Deposed: stop the passes and let the workers go, so they find the new leader.
   */
  private async leadershipChanged(leading: boolean): Promise<void> {
    if (this.shuttingDown) return;
    this.leaderChanges += 1;
    if (!leading) {
      this.scheduler.pause();
      this.workers.disconnectAll();
      void this.browserMirror?.following();
      return;
    }
    this.browserMirror?.elected();
    // The view is rebuilt from the store, every worker offline until it registers: a worker still
    // connected from an earlier lead (the lease lapsed and was taken again) must register anew.
    this.workers.disconnectAll();
    this.takingLead = this.scheduler.start().catch((error: unknown) => {
      this.options.logger.warn('could not take up the lead', { error });
    });
    await this.takingLead;
  }

  /** Idempotent; every step runs even if an earlier one fails. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const steps: [string, () => unknown][] = [
      // First, so another master takes over at once rather than after the lease lapses.
      ['leadership', () => this.leadership?.stop()],
      ['announcement mark', () => this.announcementMark?.stop()],
      ['scheduler', () => this.scheduler.close()],
      ['metrics', () => this.metrics.close()],
      ['worker gateway', () => this.workers.close()],
      ['client gateway', () => this.clients.close()],
      ['browser mirror', () => this.browserMirror?.close()],
      ['live view', () => this.live.close()],
      ['socket.io', () => closeSocketServer(this.io)],
      ['http', () => new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()))],
      ['redis', () => this.redis?.quit()],
      ['store', () => this.backend.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.options.logger.error('master close step failed', { step: name, error });
      }
    }
  }
}
