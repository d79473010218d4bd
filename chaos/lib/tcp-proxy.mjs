// A TCP proxy of the harness's own, one per link (worker → master, worker → Redis), so a worker can
// be cut off from one peer and not the other. A partition behaves as a cable pulled out: nothing
// crosses in either direction, neither side learns of it from the proxy (no FIN, no RST), and what
// was sent meanwhile is delivered when the link heals, as TCP's retransmissions would. A side that
// really closes (a killed process) closes its peer at once, as the kernel's RST would.
import net from 'node:net';

export class TcpProxy {
  /** @param {string} name  @param {() => number} targetPort the current port of the peer */
  constructor(name, targetPort) {
    this.name = name;
    this.targetPort = targetPort;
    this.partitioned = false;
    /** @type {Set<{ client: net.Socket, upstream?: net.Socket, toUpstream: Buffer[], toClient: Buffer[], ended: boolean }>} */
    this.links = new Set();
    this.server = net.createServer((client) => this.accept(client));
    this.port = 0;
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  partition() {
    this.partitioned = true;
  }

  /** Delivers what waited and connects the connections that were opened meanwhile. */
  heal() {
    this.partitioned = false;
    for (const link of [...this.links]) {
      if (!link.upstream) this.connectUpstream(link);
      for (const chunk of link.toUpstream.splice(0)) link.upstream?.write(chunk);
      for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
      if (link.ended) this.drop(link);
    }
  }

  accept(client) {
    client.setNoDelay(true);
    const link = { client, upstream: undefined, toUpstream: [], toClient: [], ended: false };
    this.links.add(link);
    client.on('error', () => undefined);
    client.on('data', (chunk) => (this.partitioned || !link.upstream ? link.toUpstream.push(chunk) : link.upstream.write(chunk)));
    client.on('close', () => this.closedBy(link));
    if (!this.partitioned) this.connectUpstream(link);
  }

  connectUpstream(link) {
    const upstream = net.connect(this.targetPort(), '127.0.0.1');
    upstream.setNoDelay(true);
    link.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('data', (chunk) => (this.partitioned ? link.toClient.push(chunk) : link.client.write(chunk)));
    upstream.on('close', () => this.closedBy(link));
    for (const chunk of link.toUpstream.splice(0)) upstream.write(chunk);
  }

  /** One side went away: the other learns of it now, or at the heal if the link is cut. */
  closedBy(link) {
    if (!this.links.has(link)) return;
    if (this.partitioned) {
      link.ended = true;
      return;
    }
    this.drop(link);
  }

  drop(link) {
    this.links.delete(link);
    link.client.destroy();
    link.upstream?.destroy();
  }

  async close() {
    for (const link of [...this.links]) this.drop(link);
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}
