// The long-lived sockets the fuzzer speaks through: `/client` as an admin and as a viewer, and
// three `/worker` connections. "steady" owns an account of its own platform and holds one job of
// it in flight, so that reports about that job reach the master's deeper paths (ownership, epoch,
// attempt) instead of stopping at the first check; "spare" is registered too; "unregistered" is not.
import { io } from 'socket.io-client';
import { MasterEvent, Namespace, WorkerEvent } from '@fleetwright/shared/contract';

export const STEADY_PLATFORM = 'fuzzsteady';
export const STEADY_JOB_TYPES = ['fuzz', 'login', 'crawl', 'reply', 'invite', 'accept_invite'];
const ACK_MS = 5_000;

export function connect(url, ns, options = {}) {
  return io(`${url}${ns}`, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: ACK_MS, ...options });
}

/** Resolves 'connect', or 'connect_error: …', or 'timeout' when neither comes in time. */
export function connected(socket, ms = ACK_MS) {
  if (socket.connected) return Promise.resolve('connect');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve('connect');
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      resolve(`connect_error: ${error?.data?.code ?? error?.message ?? error}`);
    });
    // A handshake the server cannot parse (auth that is not an object) closes the connection.
    socket.io.once('close', (reason) => {
      clearTimeout(timer);
      resolve(`closed: ${reason}`);
    });
  });
}

/** Emits with an ack and a deadline; resolves the ack, or `undefined` when none came in time. */
export async function request(socket, event, payload, ms = ACK_MS) {
  try {
    return await socket.timeout(ms).emitWithAck(event, payload);
  } catch {
    return undefined;
  }
}

export class FleetSockets {
  constructor(master) {
    this.master = master;
    this.sockets = {};
    /** The last `master:job:run` each worker socket was asked to run, by job id. */
    this.runs = new Map();
    /** Each fleet worker's own credential, enrolled once (the fleet token no longer speaks for it then). */
    this.credentials = new Map();
  }

  /** The worker id's credential, enrolled with the fleet token the first time (or again after a fuzzed revoke). */
  async credentialOf(workerId, renew = false) {
    if (renew) this.credentials.delete(workerId);
    if (!this.credentials.has(workerId)) {
      const res = await fetch(`${this.master.url}/api/v1/worker/enroll`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.master.workerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workerId }),
      });
      const body = await res.json();
      if (res.status !== 201) throw new Error(`enrolling ${workerId}: ${res.status} ${JSON.stringify(body)}`);
      this.credentials.set(workerId, body.credential);
    }
    return this.credentials.get(workerId);
  }

  async open(viewerToken) {
    this.viewerToken = viewerToken;
    const url = this.master.url;
    this.sockets.admin = connect(url, Namespace.Client, { auth: { token: this.master.apiToken } });
    this.sockets.viewer = connect(url, Namespace.Client, { auth: { token: viewerToken } });
    this.sockets.steady = this.worker('fuzz-steady', await this.credentialOf('fuzz-steady'));
    this.sockets.spare = this.worker('fuzz-spare', await this.credentialOf('fuzz-spare'));
    this.sockets.unregistered = this.worker('fuzz-unregistered', await this.credentialOf('fuzz-unregistered'));
    for (const [name, socket] of Object.entries(this.sockets)) {
      const how = await connected(socket);
      if (how !== 'connect') throw new Error(`fuzz socket ${name}: ${how}`);
    }
    await this.register('steady', STEADY_PLATFORM);
    await this.register('spare', 'fuzzspare');
  }

  /** A worker socket that says yes to everything the master asks and never reports on its own. */
  worker(workerId, credential) {
    const socket = connect(this.master.url, Namespace.Worker, { auth: { workerId, token: credential } });
    const yes = (data) => (_payload, ack) => typeof ack === 'function' && ack({ ok: true, data });
    socket.on(MasterEvent.TaskAssign, yes(undefined));
    socket.on(MasterEvent.TaskRevoke, yes(undefined));
    socket.on(MasterEvent.JobCancel, yes(undefined));
    socket.on(MasterEvent.WorkerDrain, yes(undefined));
    socket.on(MasterEvent.LiveWatch, yes(undefined));
    socket.on(MasterEvent.LiveInput, yes(undefined));
    socket.on(MasterEvent.Takeover, yes(undefined));
    socket.on(MasterEvent.JobRun, (payload, ack) => {
      this.runs.set(payload.jobId, payload);
      if (typeof ack === 'function') ack({ ok: true, data: undefined });
    });
    socket.on(MasterEvent.AccountBrowser, (payload, ack) => {
      if (typeof ack === 'function')
        ack({
          ok: true,
          data: {
            accountId: payload.accountId,
            state: payload.action === 'start' ? 'running' : 'stopped',
            fenceToken: payload.action === 'start' ? 1 : null,
            error: null,
          },
        });
    });
    return socket;
  }

  /** Connects again (and registers again) any fleet socket the master closed. */
  async ensureConnected() {
    for (const [name, socket] of Object.entries(this.sockets)) {
      if (socket.connected) continue;
      socket.removeAllListeners();
      socket.disconnect();
      const url = this.master.url;
      const fresh =
        name === 'admin'
          ? connect(url, Namespace.Client, { auth: { token: this.master.apiToken } })
          : name === 'viewer'
            ? connect(url, Namespace.Client, { auth: { token: this.viewerToken } })
            : this.worker(`fuzz-${name}`, await this.credentialOf(`fuzz-${name}`));
      this.sockets[name] = fresh;
      if ((await connected(fresh)) !== 'connect' && name !== 'admin' && name !== 'viewer') {
        // A fuzzed DELETE /workers/:id/credential revoked it: enroll again, as a real worker does.
        fresh.removeAllListeners();
        fresh.disconnect();
        this.sockets[name] = this.worker(`fuzz-${name}`, await this.credentialOf(`fuzz-${name}`, true).catch(() => ''));
        await connected(this.sockets[name]);
      }
      if (name === 'steady' || name === 'spare') await this.register(name, name === 'steady' ? STEADY_PLATFORM : 'fuzzspare').catch(() => undefined);
    }
  }

  async register(name, platform) {
    const ack = await request(this.sockets[name], WorkerEvent.Register, {
      host: 'fuzz',
      version: '0.0.0',
      capabilities: [{ platform, jobTypes: STEADY_JOB_TYPES }],
      maxAccounts: 100,
      maxConcurrency: 1,
      maxLiveContexts: 100,
    });
    if (!ack?.ok) throw new Error(`fuzz worker ${name} could not register: ${JSON.stringify(ack)}`);
  }

  /**
   * A credential was just revoked: the master cuts that worker's socket right after its answer.
   * Waits (bounded) for the cut, so that the next input finds the socket down and reconnects it
   * first, instead of sending into a socket that is closing.
   */
  async revoked(workerId) {
    const socket = this.sockets[workerId.replace(/^fuzz-/, '')];
    if (!workerId.startsWith('fuzz-') || !socket?.connected) return;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, ACK_MS);
      socket.once('disconnect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close() {
    for (const socket of Object.values(this.sockets)) socket.disconnect();
    this.sockets = {};
  }
}
