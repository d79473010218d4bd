import type { Server } from 'socket.io';

/** The parts of engine.io's socket this reaches into: its transport's websocket, and its close. */
interface EngineSocketInternals {
  transport: { socket?: { terminate?(): void } };
  close(discard: boolean): void;
}

/**
 * Tears down an engine.io connection at once. Left to itself, engine.io waits for the socket's
 * unsent packets to drain before it closes (they never will when the peer stopped reading), and ws
 * then waits 30 s for the peer's close frame; all that time the master holds the backlog, and a
 * master closing waits for it.
 */
export function dropConnection(conn: unknown): void {
  const socket = conn as EngineSocketInternals;
  if (typeof socket.transport.socket?.terminate === 'function') socket.transport.socket.terminate();
  else socket.close(true);
}

/** How long a closing master lets its websocket peers answer the close before it cuts them. */
const CLOSE_GRACE_MS = 1000;

/**
 * Closes the Socket.IO server and the HTTP server under it. A peer that answers the close within
 * CLOSE_GRACE_MS ends cleanly; one that does not (it stopped reading) is cut then, rather than
 * holding the close for ws's 30 s.
 */
export function closeSocketServer(io: Server): Promise<void> {
  // engine.io's own list (its type keeps it protected): every connection, in a namespace or not yet.
  const connections = Object.values((io.engine as unknown as { clients: Record<string, unknown> }).clients);
  const cut = setTimeout(() => {
    for (const conn of connections) dropConnection(conn);
  }, CLOSE_GRACE_MS);
  return new Promise<void>((resolve) => void io.close(() => resolve())).finally(() => clearTimeout(cut));
}
