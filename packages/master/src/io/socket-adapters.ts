import type { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Namespace } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import { Namespace as Ns } from '@fleetwright/shared';

/**
 * The Socket.IO adapter of masters that share their events through Redis (a Redis stream).
 *
 * `/client` and the server's own messages between masters go through the stream: a dashboard or
 * upstream client on any master hears what the leader announces, and one that reconnects to another
 * master recovers what it missed. `/worker` stays in this process. Its sockets are all on the
 * leader (docs/operations.md), so no other master has a use for its messages; and with
 * connection-state recovery on, Socket.IO sends even a message to one socket through the adapter,
 * which on the stream means it waits for Redis to store it first. Through the stream, every
 * `job:run` and assignment cost the leader a Redis round trip and every master a read of it, and a
 * leader whose Redis was out of reach could no longer command its workers: a clustered adapter
 * drops a message it cannot publish.
 */
export function masterSocketAdapter(redis: Redis): (nsp: Namespace) => Adapter {
  const shared = createAdapter(redis, { streamName: 'fleetwright:events' });
  // Socket.IO calls this with `new`: a function, not an arrow.
  return function adapterOf(nsp: Namespace): Adapter {
    return nsp.name === Ns.Worker ? new Adapter(nsp) : shared(nsp);
  };
}
