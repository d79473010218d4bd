import pg, { type FieldDef, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';

/**
 * What node-postgres (8.23, pinned by the lockfile) builds from a statement's row description, on
 * its Result: the columns, a parser for each, and the empty row every parsed row is copied from.
 */
interface ResultInternals {
  fields: FieldDef[];
  _parsers: unknown[];
  _prebuiltEmptyResultObject: Record<string, null>;
  addFields(fields: FieldDef[]): void;
}

interface QueryInternals {
  name?: string;
  _result: ResultInternals;
  handleRowDescription(message: { fields: FieldDef[] }): void;
}

/** A prepared statement's row description, with what was built from it. */
interface RowShape {
  fields: FieldDef[];
  parsers: unknown[];
  empty: Record<string, null>;
}

function sameFields(a: readonly FieldDef[], b: readonly FieldDef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.dataTypeID !== y.dataTypeID || x.format !== y.format) return false;
  }
  return true;
}

/**
 * The row shapes of prepared statements, by statement name. node-postgres rebuilds a parser per
 * column and an empty row at every execution's row description (PostgreSQL sends one each time):
 * for our 30-column job rows that was 7 % of the leader's CPU at bench:scale's load. A statement
 * answered with the description it had last time takes what was built then.
 */
export class RowShapes {
  private readonly shapes = new Map<string, RowShape>();

  /** Forget every shape: the statements are prepared again under new names. */
  clear(): void {
    this.shapes.clear();
  }

  /** `config` run on `client`; a named (prepared) statement's rows are built from its known shape. */
  run<R extends QueryResultRow>(client: pg.ClientBase, config: QueryConfig): Promise<QueryResult<R>> {
    if (config.name === undefined) return client.query<R>(config);
    return new Promise((resolve, reject) => {
      client.query(this.query(config, (error, result) => (error ? reject(error) : resolve(result as QueryResult<R>))));
    });
  }

  /** `config` run on a connection of `pool`, as `run` does. */
  runPooled<R extends QueryResultRow>(pool: pg.Pool, config: QueryConfig): Promise<QueryResult<R>> {
    if (config.name === undefined) return pool.query<R>(config);
    // The pool gives the query its own callback (which releases the connection) and answers with a promise.
    return pool.query(this.query(config)) as unknown as Promise<QueryResult<R>>;
  }

  private query(config: QueryConfig, callback?: (error: Error | undefined, result: unknown) => void): pg.Query {
    return new ShapedQuery(config, this, callback);
  }

  /** Builds `result`'s columns for `fields` as last time, if they are the same; says whether it did. */
  reuse(name: string, fields: FieldDef[], result: ResultInternals): boolean {
    const known = this.shapes.get(name);
    if (!known || !sameFields(known.fields, fields)) return false;
    result.addFields = () => {
      result.fields = fields;
      result._parsers = known.parsers;
      result._prebuiltEmptyResultObject = known.empty;
    };
    return true;
  }

  keep(name: string, result: ResultInternals): void {
    this.shapes.set(name, { fields: result.fields, parsers: result._parsers, empty: result._prebuiltEmptyResultObject });
  }
}

const handleRowDescription = (pg.Query.prototype as unknown as QueryInternals).handleRowDescription;

class ShapedQuery extends pg.Query {
  constructor(
    config: QueryConfig,
    private readonly shapes: RowShapes,
    callback?: (error: Error | undefined, result: unknown) => void,
  ) {
    // From the text, not the config: node-postgres copies a config object property by property
    // (1.5 % of the leader's CPU), a text it does not. A callback as given, or none: then the pool
    // or the client gives its own.
    super(config.text, config.values as unknown[], callback as never);
    (this as unknown as QueryInternals).name = config.name;
  }

  handleRowDescription(message: { fields: FieldDef[] }): void {
    const internals = this as unknown as QueryInternals;
    const name = internals.name!;
    const reused = this.shapes.reuse(name, message.fields, internals._result);
    handleRowDescription.call(this, message);
    if (!reused) this.shapes.keep(name, internals._result);
  }
}
