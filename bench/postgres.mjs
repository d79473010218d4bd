// A throwaway PostgreSQL cluster for the benches and the chaos run's two-master mode: the same recipe as the tests'
// packages/master/test/support/postgres-cluster.ts (initdb with trust auth into a temp dir, pg_ctl
// on a free loopback port, durability off, run as the `postgres` user when this process is root,
// which PostgreSQL refuses), in plain .mjs for bench/ and chaos/.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './lib.mjs';

const SUPERUSER = 'postgres';

/** The newest PostgreSQL's bin dir under /usr/lib/postgresql (Debian's layout), or where PG_BIN points. */
function postgresBinDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}/*/bin (apt-get install postgresql, or set PG_BIN)`);
  return path.join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

function run(bin, tool, args) {
  const file = path.join(bin, tool);
  const [command, argv] = asRoot ? ['runuser', ['-u', SUPERUSER, '--', file, ...args]] : [file, args];
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${tool} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}

/**
 * Starts a cluster and resolves with `{ port, pid, createDatabase(), stop() }`. `createDatabase()`
 * makes an empty database and resolves with its URL; `stop()` shuts the server down at once and
 * removes its dir (also done when this process exits). `pid` is the postmaster's, for its CPU.
 */
export async function startPostgres() {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-pg-'));
  if (asRoot) {
    const id = (flag) => Number(spawnSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const data = path.join(dir, 'data');
  let running = false;
  const stop = () => {
    if (running) run(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  run(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    // More settings for a measurement, e.g. `-c shared_preload_libraries=pg_stat_statements`.
    ...(process.env.BENCH_POSTGRES_SETTINGS ? [process.env.BENCH_POSTGRES_SETTINGS] : []),
  ].join(' ');
  try {
    run(bin, 'pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
  } catch (error) {
    const log = path.join(dir, 'server.log');
    stop();
    throw new Error(`${error.message}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
  }
  running = true;
  const url = (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  let databases = 0;
  return {
    port,
    pid: Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    async createDatabase() {
      const name = `fleet_${++databases}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop: async () => {
      process.off('exit', stop);
      stop();
    },
  };
}

/**
 * CPU ticks (user+system) of the postmaster and every backend it forked, from /proc: PostgreSQL
 * serves each connection in its own process, so the database's share of the machine is their sum.
 */
export function postgresCpuTicks(postmasterPid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // The postmaster's own count includes its children that have ended (cutime, cstime).
      if (Number(entry) === postmasterPid) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      else if (Number(fields[1]) === postmasterPid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks;
}
