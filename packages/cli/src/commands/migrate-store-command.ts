import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrateStore, StoreMigrationRefused, type StoreMigrationProgress, type StoreMigrationReport } from '@fleetwright/master';
import { parseSecretKey } from '@fleetwright/shared';
import { CliError, ExitCode } from '../cli-error.js';
import { stdio, type CommandIo } from './command.js';
import { MIGRATE_STORE_USAGE } from './migrate-store-usage.js';

/** Errors of node-postgres and the network that mean the database was not reached or not let in. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', '28P01', '28000', '3D000']);

/**
 * Moves a stopped master's SQLite store into an empty PostgreSQL database (`migrateStore`), with
 * the key the master runs with, printing progress on stderr and the counts and the env line to set
 * on stdout.
 */
export async function migrateStoreCommand(argv: string[], io: CommandIo = stdio, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const options = parseOptions(argv);
  if (options === 'help') {
    io.out.write(`usage: ${MIGRATE_STORE_USAGE}\n`);
    return;
  }
  const dataDir = path.resolve(options.dataDir ?? (env.FLEET_DATA_DIR || env.DATA_DIR || 'data'));
  const sqliteFile = path.join(dataDir, 'master.db');
  if (!existsSync(sqliteFile)) throw new CliError(`no master database at ${sqliteFile} (set --data-dir or FLEET_DATA_DIR)`, ExitCode.NoInput);
  const secretKey = readSecretKey(env, dataDir);
  const shown = masked(options.to);
  io.err.write(`copying ${sqliteFile} into ${shown}\n`);
  let report: StoreMigrationReport;
  try {
    report = await migrateStore({ sqliteFile, databaseUrl: options.to, secretKey, onProgress: progressLines(io) });
  } catch (error) {
    throw failure(error, shown);
  }
  const width = Math.max(...report.tables.map((t) => t.table.length), 'total'.length);
  for (const { table, rows } of report.tables) io.out.write(`${table.padEnd(width)}  ${rows}\n`);
  io.out.write(`${'total'.padEnd(width)}  ${report.totalRows} rows in ${(report.ms / 1000).toFixed(1)} s\n`);
  io.err.write(
    `done. Artifact files stay in ${path.join(dataDir, 'artifacts')}: start the master on PostgreSQL with this data dir and the same secret key (FLEET_SECRET_KEY or ${path.join(dataDir, 'secrets.json')}), and set:\n`,
  );
  io.out.write(`FLEET_DATABASE_URL=${shown}\n`);
}

interface MigrateStoreOptions {
  to: string;
  dataDir: string | undefined;
}

const FLAGS = { to: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

function parseOptions(argv: string[]): MigrateStoreOptions | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true }));
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} (usage: ${MIGRATE_STORE_USAGE})`);
  }
  if (values.help) return 'help';
  if (!values.to) throw new CliError(`--to is missing: name the empty PostgreSQL database to copy into (usage: ${MIGRATE_STORE_USAGE})`);
  let url: URL | undefined;
  try {
    url = new URL(values.to);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || (!url.hostname && !url.searchParams.has('host')))
    throw new CliError('--to must be a postgres:// URL naming a host (postgres://user:password@host:5432/database)');
  if (values['data-dir'] === '') throw new CliError('--data-dir is empty: name the master’s data dir');
  return { to: values.to, dataDir: values['data-dir'] };
}

/** The key the master would use: FLEET_SECRET_KEY, else the data dir's secrets.json. Never made here: a new key opens nothing. */
function readSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = env.FLEET_SECRET_KEY;
  if (fromEnv) {
    const key = parseSecretKey(fromEnv);
    if (!key) throw new CliError('FLEET_SECRET_KEY must be 32 bytes as 64 hex characters or base64', ExitCode.Config);
    return key;
  }
  const file = path.join(dataDir, 'secrets.json');
  let stored: { secretKey?: unknown } = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as { secretKey?: unknown };
    } catch (error) {
      throw new CliError(`${file} is not JSON: ${(error as Error).message}`, ExitCode.Config);
    }
  }
  if (typeof stored.secretKey !== 'string')
    throw new CliError(`no secret key: set FLEET_SECRET_KEY to the key the master runs with, or keep its ${file}`, ExitCode.Config);
  const key = parseSecretKey(stored.secretKey);
  if (!key) throw new CliError(`the secretKey in ${file} is not 32 bytes as 64 hex characters or base64`, ExitCode.Config);
  return key;
}

/** The URL with its password replaced: fit for the terminal and for copying into a config. */
function masked(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '****';
  return url.toString();
}

/** A line when a table is done, and within a long table at every tenth of the whole copy. */
function progressLines(io: CommandIo): (progress: StoreMigrationProgress) => void {
  let nextTenth = 10;
  return (p) => {
    const done = p.tableCopied === p.tableRows;
    if (!done && p.percent < nextTenth) return;
    while (nextTenth <= p.percent) nextTenth += 10;
    io.err.write(`${done ? 'copied' : 'copying'} ${p.table}: ${p.tableCopied}/${p.tableRows} rows, ${p.percent.toFixed(1)} % of all ${p.totalRows}\n`);
  };
}

function failure(error: unknown, shown: string): CliError {
  if (error instanceof StoreMigrationRefused) return new CliError(`refused: ${error.message}`, ExitCode.Failed);
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if ((code && UNREACHABLE.has(code)) || /timeout expired|Connection terminated/.test(message))
    return new CliError(`cannot reach or log in to PostgreSQL at ${shown} (--to): ${message || code}`, ExitCode.Unavailable);
  return new CliError(`the migration failed and nothing was committed to ${shown}: ${message}`, ExitCode.Failed);
}
