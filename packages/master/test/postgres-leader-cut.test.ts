import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOPPED_BROWSER } from '@fleetwright/shared';
import { PostgresBackend, restJobLinks } from '@fleetwright/master';
import { PostgresCluster } from './support/postgres-cluster.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * A leader whose link to PostgreSQL goes silent in the middle of a decision: its transaction holds
 * the lease row (the fence's share lock), and the server, hearing nothing, would keep it open and
 * the lock held for as long as TCP takes to give up (hours). Its successor must still get the
 * lease once it lapses.
 */
let cluster: PostgresCluster;
let dir: string;

beforeAll(async () => {
  cluster = await PostgresCluster.start();
  dir = mkdtempSync(path.join(tmpdir(), 'fleet-pg-leader-cut-'));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function open(url: string): Promise<PostgresBackend> {
  return PostgresBackend.open(url, {
    secretKey: Buffer.alloc(32, 7),
    workerToken: 'fww_leader_cut',
    artifactsDir: path.join(dir, 'artifacts'),
    jobLinks: restJobLinks,
    browsers: { view: () => STOPPED_BROWSER, forget: () => undefined },
    connectTimeoutMs: 2_000,
  });
}

/** The promise's value, or 'still waiting' when it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);
}

describe('a leader cut off from PostgreSQL inside a transaction', () => {
  it('does not keep the lease from the next master once it lapses', async () => {
    const { url } = await cluster.createDatabase();
    const proxy = await TcpProxy.start(cluster.port);
    const cut = await open(url.replace(`:${cluster.port}/`, `:${proxy.port}/`));
    const next = await open(url);
    try {
      const lease = await cut.leases.acquire('scheduler', 'cut', 1_000);
      expect(lease?.epoch).toBe(1);
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      // A decision that holds the fence, then goes on to its next statement after the link is gone.
      const decision = cut.transaction(async () => {
        await cut.leases.assertHeld('scheduler', 'cut', lease!.epoch);
        inside();
        await finished;
        await cut.leases.current('scheduler');
      });
      decision.catch(() => undefined);
      await entered;
      proxy.blackhole();
      finish();

      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const taken = await within(next.leases.acquire('scheduler', 'next', 1_000), 20_000);
      expect(taken).toMatchObject({ holder: 'next', epoch: 2 });

      // The link comes back: the old leader's decision cannot complete under the lost lease.
      proxy.heal();
      const outcome = await within(
        decision.then(
          () => 'committed',
          (error: unknown) => error,
        ),
        10_000,
      );
      expect(outcome).toBeInstanceOf(Error);
    } finally {
      await proxy.close();
      await within(Promise.allSettled([cut.close(), next.close()]), 10_000);
    }
  });
});
