import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { waitUntil } from './support/wait-until.js';

const LEASE_MS = 1_000;

/**
 * `/health` of a master whose link to PostgreSQL is gone: the counts need the database, but a load
 * balancer's check must still get an answer, and it must say this master does not lead.
 */
let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await PostgresCluster.start();
});
afterAll(() => cluster?.stop());

describe('/health and /metrics of a master cut off from PostgreSQL', () => {
  let fx: MasterFixture | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    proxy?.heal();
    await fx?.close();
    await proxy?.close();
  });

  it.each(['blackhole', 'reset'] as const)('cut by %s: answers 503 saying it does not lead, and 200 leading once the link is back', async (cut) => {
    const { url } = await cluster.createDatabase();
    proxy = await TcpProxy.start(cluster.port);
    fx = await MasterFixture.start({ databaseUrl: url.replace(`:${cluster.port}/`, `:${proxy.port}/`), leaderLeaseMs: LEASE_MS });
    await waitUntil('the master to lead', async () => ((await fx!.health()).body.masters?.leading ? true : undefined));
    const healthy = await fx.health();
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ status: 'degraded', masters: { self: expect.any(String), leading: true } });

    if (cut === 'blackhole') proxy.blackhole();
    else proxy.reset();
    // Every check gets an answer (fx.health gives each 5 s); once the lease may have lapsed it says so.
    const cutOff = await waitUntil(
      'health to say this master does not lead',
      async () => {
        const health = await fx!.health();
        return health.body.masters?.leading === false ? health : undefined;
      },
      15_000,
    );
    expect(cutOff.status).toBe(503);
    expect(cutOff.body).toMatchObject({ status: 'unavailable', masters: { self: healthy.body.masters.self, leader: null, leading: false } });
    expect(cutOff.body.error).toMatch(/database/);
    // A scrape gets its answer too: 503 rather than a wait for a database that does not answer.
    const scrape = await fetch(`${fx.url}/metrics`, { signal: AbortSignal.timeout(15_000) });
    expect(scrape.status).toBe(503);
    expect(await scrape.text()).toMatch(/database/);

    proxy.heal();
    const back = await waitUntil(
      'health to answer 200, leading again',
      async () => {
        const health = await fx!.health();
        return health.status === 200 && health.body.masters?.leading ? health : undefined;
      },
      30_000,
    );
    expect(back.body).toMatchObject({ status: 'degraded', workers: { online: 0 }, masters: { leading: true } });
  });
});
