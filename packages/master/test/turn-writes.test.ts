import type { Socket as TcpSocket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientEvent } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

/** socket.io-client's websocket transport in Node: a `ws` WebSocket over a TCP socket. */
interface ClientTransportInternals {
  io: { engine: { transport: { ws?: { _socket?: TcpSocket } } } };
}

// coalesceWritesPerTurn reaches into engine.io's and ws's internals to cork a connection's TCP
// socket for one turn; if an upgrade moves them it silently stops working. This keeps it honest.
describe("the master's websocket writes", () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('sends the frames of one event-loop turn to a /client socket in one TCP write', async () => {
    const account = await fx.createAccount();
    const client = fx.client();
    client.connect();
    await waitUntil('the /client socket to connect', () => (client.connected ? true : undefined));
    const tcp = (client as unknown as ClientTransportInternals).io.engine.transport.ws?._socket;
    expect(tcp, 'the client transport exposes its TCP socket').toBeDefined();

    const progress: string[] = [];
    client.on(ClientEvent.JobProgress, (event) => progress.push(event.jobId));
    let reads = 0;
    tcp!.on('data', () => reads++);
    // One bulk request: its 20 jobs are announced (job:progress, queued) in the turn that creates them.
    const jobs = Array.from({ length: 20 }, (_, i) => ({ type: 'crawl', accountId: account.id, payload: { n: i } }));
    expect((await fx.api('POST', '/jobs/bulk', { jobs })).status).toBe(201);
    await waitUntil('20 job:progress events', () => (progress.length >= 20 ? true : undefined));

    expect(progress).toHaveLength(20);
    expect(reads).toBe(1);
  });
});
