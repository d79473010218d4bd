import type { Socket as TcpSocket } from 'node:net';
import type { Server } from 'socket.io';

/** The parts of engine.io's socket this reaches into: its websocket transport's `ws` socket. */
interface EngineSocketInternals {
  transport?: { socket?: { _socket?: TcpSocket } };
}

/**
 * Lets the frames that one event-loop turn sends on a websocket connection leave in one write.
 * engine.io writes each packet with a syscall of its own, and under load the master sends many per
 * turn on one connection (`job:progress` and `job:done` for every job that changed, to each
 * `/client` socket; several `job:run` to a worker): those writes were 10-15 % of the master's CPU
 * (bench:dispatch). The bytes and their order do not change: the TCP socket is corked when
 * engine.io starts flushing its buffer and uncorked on the next tick, in the same turn.
 */
export function coalesceWritesPerTurn(io: Server): void {
  io.engine.on('flush', (socket: EngineSocketInternals) => {
    // Long-polling connections have no TCP socket of their own here: they are left as they are.
    const tcp = socket.transport?.socket?._socket;
    if (!tcp || tcp.destroyed || tcp.writableCorked > 0) return;
    tcp.cork();
    process.nextTick(() => tcp.uncork());
  });
}
