import net from 'node:net';

/**
 * A TCP proxy on a free loopback port to one target, that a test can cut: a stand-in for the
 * network between a process and a server.
 * - `reset()`: every open connection is destroyed and new ones are closed as they come (the
 *   client sees ECONNRESET, then connections that end at once).
 * - `blackhole()`: connections stay open and new ones are accepted, but no byte passes either way
 *   (the client sees silence, as behind a dead link or a dropping firewall).
 * - `heal()`: bytes pass again: on the connections a black hole held (what was sent meanwhile
 *   arrives late, as TCP retransmits it over a link that comes back) and on new connections.
 *   Connections reset stay gone.
 */
export class TcpProxy {
  private mode: 'open' | 'reset' | 'blackhole' = 'open';
  private readonly sockets = new Set<net.Socket>();
  private readonly upstreams = new Set<net.Socket>();
  /** Client → upstream pairs, piped both ways unless a black hole holds them. */
  private readonly pairs = new Map<net.Socket, net.Socket | undefined>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { port: number; host: string },
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port, { port: targetPort, host: targetHost });
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  /** Connections made through the proxy and still open (either side). */
  get openConnections(): number {
    return this.sockets.size;
  }

  reset(): void {
    this.mode = 'reset';
    for (const socket of [...this.sockets, ...this.upstreams]) socket.destroy();
  }

  blackhole(): void {
    this.mode = 'blackhole';
    // Nothing more is read from either side, so nothing is forwarded; the sockets stay open.
    for (const socket of [...this.sockets, ...this.upstreams]) {
      socket.unpipe();
      socket.pause();
    }
  }

  heal(): void {
    const wasBlackhole = this.mode === 'blackhole';
    this.mode = 'open';
    if (!wasBlackhole) return;
    for (const [socket, upstream] of this.pairs) {
      if (upstream) this.join(socket, upstream);
      // Accepted while the hole was open: it connects now.
      else this.connect(socket);
    }
  }

  async close(): Promise<void> {
    for (const socket of [...this.sockets, ...this.upstreams]) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.mode === 'reset') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.pairs.set(socket, undefined);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.pairs.delete(socket);
    });
    if (this.mode === 'blackhole') socket.pause();
    else this.connect(socket);
  }

  private connect(socket: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on('error', () => undefined);
    this.upstreams.add(upstream);
    this.pairs.set(socket, upstream);
    upstream.once('close', () => {
      this.upstreams.delete(upstream);
      if (this.mode !== 'blackhole') socket.destroy();
    });
    socket.once('close', () => {
      if (this.mode !== 'blackhole') upstream.destroy();
    });
    this.join(socket, upstream);
  }

  private join(socket: net.Socket, upstream: net.Socket): void {
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.resume();
    upstream.resume();
  }
}
