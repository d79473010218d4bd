import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { Namespace, createLogger } from '@fleetwright/shared';
import { MasterConnection } from '@fleetwright/worker';
import { waitFor } from './support/wait-for.js';

const logger = createLogger({ name: 'test', console: false });

/**
 * A `/worker` endpoint that refuses handshakes with NOT_LEADER while `refusing` is on, as a master
 * that does not lead (yet) does, and can cut the sockets it took, as a master that loses the lead.
 */
class LeadingSometimes {
  refusing = true;
  handshakes = 0;
  readonly io: Server;
  private readonly server = http.createServer();

  constructor() {
    this.io = new Server(this.server, { transports: ['websocket'] });
    this.io.of(Namespace.Worker).use((_socket, next) => {
      this.handshakes += 1;
      if (!this.refusing) return next();
      const error = new Error('this master does not lead the fleet') as Error & { data?: unknown };
      error.data = { code: 'NOT_LEADER', message: error.message, leader: null };
      next(error);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Loses the lead: cuts every worker and refuses the next handshakes. */
  depose(): void {
    this.refusing = true;
    this.io.of(Namespace.Worker).disconnectSockets(true);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.io.close(() => resolve()));
  }
}

describe('a worker given a single master URL', () => {
  let master: LeadingSometimes | undefined;
  let connection: MasterConnection | undefined;
  afterEach(async () => {
    connection?.close();
    await master?.close();
  });

  it('dials that URL again after NOT_LEADER until it is taken, and again after the master loses and regains the lead', async () => {
    master = new LeadingSometimes();
    const url = await master.listen();
    connection = new MasterConnection({ masterUrl: url, workerId: 'w1', token: 't', logger });
    connection.start();
    await waitFor('three refused handshakes', () => (master!.handshakes >= 3 ? true : undefined));
    expect(connection.connected).toBe(false);
    master.refusing = false;
    await waitFor('connected once the master leads', () => (connection!.connected ? true : undefined));

    const before = master.handshakes;
    master.depose();
    await waitFor('refused again after losing the lead', () => (master!.handshakes >= before + 2 ? true : undefined));
    expect(connection.connected).toBe(false);
    master.refusing = false;
    await waitFor('connected again once it leads again', () => (connection!.connected ? true : undefined));
    expect(connection.masterUrl).toBe(url);
  });
});
