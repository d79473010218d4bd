import type { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Namespace } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import { ClientEvent, Namespace as Ns } from '@fleetwright/shared';

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
export function masterSocketAdapter(redis: Redis, leading: () => boolean): (nsp: Namespace) => Adapter {
  // The adapter reads the stream on duplicates of `redis`.
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (...args: Parameters<Redis['duplicate']>) => readsPausedWhileLeading(duplicate(...args), leading);
  const shared = createAdapter(redis, { streamName: EVENTS_STREAM });
  // Socket.IO calls this with `new`: a function, not an arrow.
  return function adapterOf(nsp: Namespace): Adapter {
    return nsp.name === Ns.Worker ? new Adapter(nsp) : shared(nsp);
  };
}

/** How often a reader paused while its master leads looks whether it still does. */
const PAUSED_READER_CHECK_MS = 200;

/**
 * The adapter's stream reader (XREAD), held while this master leads. Every event of the fleet is
 * the leader's (its decisions, its workers' reports); read back, each cost the leader a parse and
 * a decode only to be dropped as its own (the leader published some 2,000 a second in bench:scale).
 * Resuming, the reader goes on from the last entry it read before the pause, as it would have:
 * it misses nothing another master published since, and drops as its own what it published while
 * it led (at most the stream's length, once per change of leader).
 */
function readsPausedWhileLeading(client: Redis, leading: () => boolean): Redis {
  const read = client.xread.bind(client) as (...args: (string | number)[]) => Promise<unknown>;
  client.xread = (async (...args: (string | number)[]) => {
    while (leading()) await new Promise((resolve) => setTimeout(resolve, PAUSED_READER_CHECK_MS));
    return read(...args);
  }) as Redis['xread'];
  return client;
}

/** Where the masters' shared events go (a Redis stream). */
const EVENTS_STREAM = 'fleetwright:events';
/** Entries read per XRANGE. */
const STREAM_PAGE = 1000;

/**
 * The ids of the jobs whose `job:done` is in the events stream from `sinceMs` (Redis's clock) on:
 * those ends were published, whichever master published them. It reads the cluster adapter's
 * entries (a broadcast, type 3, whose `data` is the JSON of `{ packet, opts }`); an entry it cannot
 * read is skipped, so a job it misses is announced again rather than not at all. The stream keeps
 * its last 10,000 entries or so: an end older than that is not found either.
 */
export async function jobEndsInStream(redis: Redis, sinceMs: number): Promise<Set<string>> {
  const ids = new Set<string>();
  let from = `${Math.max(0, Math.floor(sinceMs))}-0`;
  for (;;) {
    const entries = await redis.xrange(EVENTS_STREAM, from, '+', 'COUNT', STREAM_PAGE);
    for (const [, fields] of entries) {
      const jobId = jobDoneIn(fields);
      if (jobId) ids.add(jobId);
    }
    if (entries.length < STREAM_PAGE) return ids;
    from = `(${entries.at(-1)![0]}`;
  }
}

function jobDoneIn(fields: string[]): string | undefined {
  const field = (name: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  if (field('nsp') !== Ns.Client || field('type') !== '3') return undefined;
  const data = field('data');
  if (!data?.startsWith('{')) return undefined;
  try {
    const event = (JSON.parse(data) as { packet?: { data?: unknown } }).packet?.data;
    if (!Array.isArray(event) || event[0] !== ClientEvent.JobDone) return undefined;
    const id = (event[1] as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
