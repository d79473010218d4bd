import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { RowShapes } from '../dist/store/postgres/row-shapes.js';
import { PostgresCluster } from './support/postgres-cluster.js';

/** The parts of node-postgres's answer that show what its rows were built from. */
type Built = pg.QueryResult & { _parsers: unknown[]; _prebuiltEmptyResultObject: object };

describe("prepared statements' rows built from the shape their statement had last time (real PostgreSQL)", () => {
  let cluster: PostgresCluster;
  let client: pg.Client;
  let pool: pg.Pool;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
    const { url } = await cluster.createDatabase();
    client = new pg.Client(url);
    await client.connect();
    pool = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await client?.end();
    await pool?.end();
    await cluster?.stop();
  });

  const text = `SELECT $1::bigint AS n, $2::text AS label, NULL::text AS nothing, '{"a":1}'::jsonb AS doc, 4.5::float8 AS ratio`;

  it('answers a statement run again with the same rows, each column parsed as the first time, from the parsers built then', async () => {
    const shapes = new RowShapes();
    const first = (await shapes.run(client, { name: 'shape_a', text, values: ['9007199254740993', 'one'] })) as Built;
    const second = (await shapes.run(client, { name: 'shape_a', text, values: ['7', 'two'] })) as Built;
    expect(first.rows).toEqual([{ n: '9007199254740993', label: 'one', nothing: null, doc: { a: 1 }, ratio: 4.5 }]);
    expect(second.rows).toEqual([{ n: '7', label: 'two', nothing: null, doc: { a: 1 }, ratio: 4.5 }]);
    expect(second.fields.map((f) => f.name)).toEqual(['n', 'label', 'nothing', 'doc', 'ratio']);
    expect(second._parsers).toBe(first._parsers);
    expect(second._prebuiltEmptyResultObject).toBe(first._prebuiltEmptyResultObject);
    // A row of one answer is never the row of another.
    expect(second.rows[0]).not.toBe(first.rows[0]);
    // Prepared under its name on the connection, as a named statement is.
    expect((await client.query('SELECT name FROM pg_prepared_statements')).rows.map((r) => r.name)).toContain('shape_a');
  });

  it('builds afresh for another statement, and for an unnamed one, through a pool as through a client', async () => {
    const shapes = new RowShapes();
    const a = (await shapes.runPooled(pool, { name: 'shape_b', text, values: ['1', 'b'] })) as Built;
    const other = (await shapes.runPooled(pool, { name: 'shape_c', text: 'SELECT 1::int AS one', values: [] })) as Built;
    const unnamed = (await shapes.runPooled(pool, { text, values: ['2', 'c'] })) as Built;
    const again = (await shapes.runPooled(pool, { name: 'shape_b', text, values: ['3', 'd'] })) as Built;
    expect(other.rows).toEqual([{ one: 1 }]);
    expect(unnamed.rows).toEqual([{ n: '2', label: 'c', nothing: null, doc: { a: 1 }, ratio: 4.5 }]);
    expect(again.rows).toEqual([{ n: '3', label: 'd', nothing: null, doc: { a: 1 }, ratio: 4.5 }]);
    expect(again._parsers).toBe(a._parsers);
    expect(unnamed._parsers).not.toBe(a._parsers);
    expect(other._parsers).not.toBe(a._parsers);
  });

  it('passes on a statement error, and the connection goes on answering', async () => {
    const shapes = new RowShapes();
    await expect(shapes.run(client, { name: 'shape_fails', text: 'SELECT 1 / $1::int AS x', values: [0] })).rejects.toMatchObject({ code: '22012' });
    await expect(shapes.runPooled(pool, { name: 'shape_fails', text: 'SELECT 1 / $1::int AS x', values: [0] })).rejects.toMatchObject({ code: '22012' });
    expect((await shapes.run(client, { name: 'shape_fails', text: 'SELECT 1 / $1::int AS x', values: [1] })).rows).toEqual([{ x: 1 }]);
    expect((await shapes.runPooled(pool, { name: 'shape_fails', text: 'SELECT 1 / $1::int AS x', values: [1] })).rows).toEqual([{ x: 1 }]);
  });
});
