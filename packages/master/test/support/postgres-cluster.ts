import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const SUPERUSER = 'postgres';

/**
 * A throwaway PostgreSQL cluster on a free loopback port, for one test file: initdb with trust
 * auth into a temp dir, pg_ctl start, one fresh database per `createDatabase()`, and on `stop()`
 * an immediate shutdown and the dir removed. PostgreSQL refuses to run as root, so as root its
 * binaries run as the `postgres` user (runuser) in a dir that user owns.
 *
 * Durability is off (fsync, synchronous_commit, full_page_writes): the data is thrown away.
 */
export class PostgresCluster {
  private databases = 0;
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly bin: string,
    readonly port: number,
    private readonly watchdog: number | undefined,
  ) {}

  /** Starts a cluster; it stops when `stop()` is called, when this process exits, or soon after it is killed. */
  static async start(): Promise<PostgresCluster> {
    const bin = postgresBinDir();
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-pg-'));
    if (runsAsRoot()) chownSync(dir, ...postgresIds());
    const cleanup = (): void => stopSync(bin, dir);
    process.once('exit', cleanup);
    try {
      run(bin, 'initdb', ['-D', dataDir(dir), '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
      const port = await startOnFreePort(bin, dir);
      const cluster = new PostgresCluster(dir, bin, port, startWatchdog(bin, dir));
      process.off('exit', cleanup);
      process.once('exit', () => cluster.stopNow());
      return cluster;
    } catch (error) {
      cleanup();
      process.off('exit', cleanup);
      throw error;
    }
  }

  /** A connection URL for `database` as the superuser. */
  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${database}`;
  }

  /**
   * Creates a database and returns its name and URL: empty, or a copy of `template` (a database
   * made here that no one is connected to), which is much faster than running migrations again.
   */
  async createDatabase(template?: string): Promise<{ name: string; url: string }> {
    const name = `fleet_${process.pid}_${++this.databases}`;
    await this.admin(`CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`);
    return { name, url: this.url(name) };
  }

  /** Drops a database made by `createDatabase`, closing any connection left on it. */
  async dropDatabase(name: string): Promise<void> {
    await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  /** Idempotent: stops the server at once (nothing in it is kept) and removes its dir. */
  stop(): Promise<void> {
    this.stopped ??= Promise.resolve().then(() => this.stopNow());
    return this.stopped;
  }

  private stopNow(): void {
    if (this.watchdog !== undefined) {
      try {
        process.kill(-this.watchdog);
      } catch {
        // Already gone.
      }
    }
    stopSync(this.bin, this.dir);
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url() });
    // A connection cut under a statement (the cluster stopping) rejects the statement; the client's
    // own error event would go unhandled.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/** The newest PostgreSQL's bin dir under /usr/lib/postgresql (Debian's layout), or where PG_BIN points. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}/*/bin (apt-get install postgresql, or set PG_BIN)`);
  return path.join(root, versions[0]!, 'bin');
}

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

function postgresIds(): [number, number] {
  const uid = Number(spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) throw new Error(`running as root needs a '${SUPERUSER}' user to run PostgreSQL as`);
  return [uid, gid];
}

/** The command line that runs a PostgreSQL binary: as the `postgres` user when this process is root. */
function command(bin: string, tool: string, args: string[]): [string, string[]] {
  const file = path.join(bin, tool);
  return runsAsRoot() ? ['runuser', ['-u', SUPERUSER, '--', file, ...args]] : [file, args];
}

function run(bin: string, tool: string, args: string[]): void {
  const [file, argv] = command(bin, tool, args);
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${tool} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}

function dataDir(dir: string): string {
  return path.join(dir, 'data');
}

async function startOnFreePort(bin: string, dir: string): Promise<number> {
  let lastError: unknown;
  // Another process may take the port between our probe and the server's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      run(bin, 'pg_ctl', ['-D', dataDir(dir), '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
      return port;
    } catch (error) {
      const log = path.join(dir, 'server.log');
      lastError = new Error(`${(error as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    }
  }
  throw lastError;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A detached shell that stops the cluster once this process is gone, however it went (a killed
 * test run runs no exit handler). It polls the parent's pid once a second.
 */
function startWatchdog(bin: string, dir: string): number | undefined {
  const [file, argv] = command(bin, 'pg_ctl', ['-D', dataDir(dir), '-m', 'immediate', 'stop']);
  const stop = [file, ...argv].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop} >/dev/null 2>&1; rm -rf '${dir}'`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

function stopSync(bin: string, dir: string): void {
  if (existsSync(path.join(dataDir(dir), 'postmaster.pid'))) {
    const [file, argv] = command(bin, 'pg_ctl', ['-D', dataDir(dir), '-m', 'immediate', '-w', 'stop']);
    spawnSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
  }
  rmSync(dir, { recursive: true, force: true });
}
