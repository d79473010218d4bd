import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClientEvent, Namespace, WorkerEvent } from '@fleetwright/shared';
import { MasterFixture, type ClientSocket } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

describe("cookie sockets only from the master's own origin; revoked tokens lose their sockets", () => {
  let fx: MasterFixture | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await fx?.close();
  });

  /** A /client socket as a browser page would open it: the session cookie and the page's Origin. */
  function connect(
    headers: Record<string, string>,
    auth?: { token: string },
  ): Promise<{ connected: true; socket: Socket } | { connected: false; code: string | undefined }> {
    const socket = io(`${fx!.url}${Namespace.Client}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: headers,
      ...(auth ? { auth } : {}),
    });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve({ connected: true, socket }));
      socket.once('connect_error', (error) => resolve({ connected: false, code: (error as Error & { data?: { code?: string } }).data?.code }));
    });
  }

  it("refuses a cookie socket from another origin, accepts the master's own and FLEET_ALLOWED_ORIGINS, and never checks token sockets", async () => {
    fx = await MasterFixture.start({ allowedOrigins: ['https://ops.example.com'] });
    const cookie = `fleet_session=${fx.apiToken}`;
    const own = new URL(fx.url).origin;
    const otherPort = `http://127.0.0.1:${Number(new URL(fx.url).port) + 1}`;
    expect(await connect({ cookie, origin: otherPort })).toEqual({ connected: false, code: 'FORBIDDEN' });
    expect(await connect({ cookie })).toEqual({ connected: false, code: 'FORBIDDEN' });
    expect((await connect({ cookie, origin: own })).connected).toBe(true);
    expect((await connect({ cookie, origin: 'https://ops.example.com' })).connected).toBe(true);
    expect((await connect({ origin: otherPort }, { token: fx.apiToken })).connected).toBe(true);
  });

  it('refuses a malformed session cookie without harming the master', async () => {
    fx = await MasterFixture.start();
    const own = new URL(fx.url).origin;
    for (let i = 0; i < 5; i += 1) expect(await connect({ cookie: 'fleet_session=%E0%A4%A', origin: own })).toEqual({ connected: false, code: 'UNAUTHORIZED' });
    expect((await fx.health()).status).toBe(200);
  });

  it('disconnects the open sockets of a token at once when it is revoked', async () => {
    fx = await MasterFixture.start();
    const created = (await fx.api('POST', '/tokens', { name: 'upstream', role: 'operator' })).body as { id: string; token: string };
    const result = await connect({}, { token: created.token });
    if (!result.connected) throw new Error('the token socket was refused');
    const other = await connect({}, { token: fx.apiToken });
    expect((await fx.api('DELETE', `/tokens/${created.id}`)).status).toBe(204);
    await waitUntil("the revoked token's socket is cut", async () => !result.socket.connected, 5000);
    expect(other.connected && other.socket.connected).toBe(true);
    expect((await fx.api('GET', '/jobs', undefined, created.token)).status).toBe(401);
  });
});

describe('a /client socket too slow for the event stream', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.close();
  });

  /**
   * What both tests start from: a master bounding a /client socket's unsent packets at 50, a worker
   * running a login, `count` connected /client sockets, and the first of them no longer reading its
   * TCP socket (the master's writes back up behind it) after five big QR codes filled the kernel's
   * buffers, so that every event from now on waits in the master's memory.
   */
  async function clientsWithFirstPaused(count: number): Promise<{ accountId: string; clients: ClientSocket[]; paused: { resume(): void } }> {
    fx = await MasterFixture.start({ maxQueuedClientPackets: 50 });
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount({ platform: 'sandbox' });
    await worker.waitForAssign(account.id);
    const login = await fx.createJob({ type: 'login', accountId: account.id });
    const run = await waitUntil('the login runs', async () => worker.runs.find((r) => r.jobId === login.id), 5000);
    const clients = Array.from({ length: count }, () => fx!.client());
    for (const socket of clients) {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
        socket.connect();
      });
    }
    const engine = clients[0]!.io.engine as unknown as { transport: { ws?: { _socket?: { pause(): void; resume(): void } } } };
    const tcp = engine.transport.ws?._socket;
    expect(tcp, 'the websocket transport exposes its TCP socket').toBeDefined();
    tcp!.pause();
    const qr = `data:image/png;base64,${'A'.repeat(1_900_000)}`;
    for (let i = 0; i < 5; i += 1) {
      const ack = await (worker.socket.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<{ ok: boolean }> }).emitWithAck(
        WorkerEvent.LoginQrCode,
        { jobId: run.jobId, accountId: account.id, epoch: run.epoch, attempt: run.attempt, dataUrl: qr },
      );
      expect(ack.ok).toBe(true);
    }
    return { accountId: account.id as string, clients, paused: tcp! };
  }

  it('is disconnected once its unsent packets pass the bound, while a reading socket stays', async () => {
    const { accountId, clients } = await clientsWithFirstPaused(2);
    const reader = clients[1]!;
    type ServerSocket = { conn: { readyState: string; writeBuffer: unknown[] } };
    const clientNamespace = () => (fx!.master as unknown as { io: { of(ns: string): { sockets: Map<string, ServerSocket> } } }).io.of('/client');
    const slow = clientNamespace().sockets.get(clients[0]!.id!)!;
    let n = 0;
    await waitUntil(
      'the slow socket to be cut',
      async () => {
        // Enough events to stay over the bound until the grace runs out; then only look.
        if (n < 400) {
          const jobs = Array.from({ length: 50 }, () => ({ type: 'crawl', accountId, payload: { n: (n += 1) } }));
          expect((await fx!.api('POST', '/jobs/bulk', { jobs })).status).toBe(201);
        }
        return clientNamespace().sockets.size === 1 ? true : undefined;
      },
      30_000,
    );
    expect(reader.connected).toBe(true);
    // Cut means let go: what the socket held is dropped now, not when its peer reads again or the
    // ping times out (engine.io would wait for its buffer to drain, ws for the peer's close frame).
    await waitUntil("the cut socket's connection to close", async () => (slow.conn.readyState === 'closed' ? true : undefined), 3000);
    await waitUntil('its unsent packets to be dropped', async () => (slow.conn.writeBuffer.length === 0 ? true : undefined), 1000);
  });

  it("does not hold up the master's close for a socket that stopped reading", async () => {
    await clientsWithFirstPaused(1);
    let closed = false;
    void fx!.master.close().then(() => (closed = true));
    // ws waits 30 s for a close frame from a peer that is not reading: the master cuts it sooner.
    await waitUntil('the master to close', async () => (closed ? true : undefined), 5000);
  });

  it('keeps a socket that stops reading for a moment (a pause, a busy host) and then catches up', async () => {
    const { accountId, clients, paused } = await clientsWithFirstPaused(1);
    const hiccup = clients[0]!;
    let created = 0;
    hiccup.on(ClientEvent.JobProgress, (p: { status: string }) => {
      if (p.status === 'queued') created += 1;
    });
    // 200 events wait in the master's memory, four times the bound, while at least one sweep passes.
    const jobs = Array.from({ length: 200 }, (_, n) => ({ type: 'crawl', accountId, payload: { n } }));
    expect((await fx!.api('POST', '/jobs/bulk', { jobs })).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    paused.resume();
    await waitUntil('the socket to catch up with every creation', async () => (created >= jobs.length ? true : undefined), 10_000);
    expect(hiccup.connected).toBe(true);
  });
});
