import pg from 'pg';
import type { Health } from '@fleetwright/shared';
import { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { waitFor } from './wait-for.js';

/** `/health` of one master, or undefined when it does not answer (dead, or cut off). */
export async function healthOf(url: string): Promise<Health | undefined> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return (await res.json()) as Health;
  } catch {
    return undefined;
  }
}

/**
 * Masters sharing one PostgreSQL database (and Redis, when the env names one), each a real
 * process. The first is started alone and waited on until it leads, so it is the leader.
 */
export async function startMasters(count: number, env: (id: string) => Record<string, string>): Promise<MasterProcess[]> {
  const first = await MasterProcess.create({ env: env('master-1') });
  const masters = [first];
  try {
    await first.start();
    await waitFor('master-1 to lead', async () => ((await healthOf(first.url))?.masters?.leading ? true : undefined), 15_000);
    for (let i = 2; i <= count; i++) {
      const next = await MasterProcess.create({ env: env(`master-${i}`), secretsOf: first });
      masters.push(next);
      await next.start();
    }
    return masters;
  } catch (error) {
    for (const m of masters) await m.close();
    throw error;
  }
}

/** The master among `masters` whose `/health` says it leads, waited for up to `timeoutMs`. */
export function waitForLeader(masters: MasterProcess[], timeoutMs: number, intervalMs = 25): Promise<MasterProcess> {
  return waitFor(
    `one of ${masters.map((m) => m.url).join(', ')} to lead`,
    async () => {
      for (const m of masters) if ((await healthOf(m.url))?.masters?.leading) return m;
      return undefined;
    },
    timeoutMs,
    intervalMs,
  );
}

/** Reads the database itself, not a master's view of it. */
export async function queryDatabase<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** How many jobs are in each status, read from the database. */
export async function jobStatusCounts(url: string): Promise<Record<string, number>> {
  const rows = await queryDatabase<{ status: string; n: number }>(url, 'SELECT status, count(*)::int AS n FROM jobs GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
