// A throwaway PostgreSQL cluster for the chaos run's two-master mode: initdb into a temp dir, pg_ctl
// start on a free loopback port, an immediate stop and the dir removed at the end. As root, the
// binaries run as the `postgres` user (PostgreSQL refuses root). Durability is off: the data is
// thrown away (the judges read it before). packages/master/test/support/postgres-cluster.ts is the
// tests' twin of this file.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../bench/lib.mjs';

const SUPERUSER = 'postgres';

export class PostgresCluster {
  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'fleet-chaos-pg-'));
    this.bin = binDir();
    this.port = 0;
  }

  async start() {
    if (process.getuid?.() === 0) chownSync(this.dir, ...postgresIds());
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    this.port = await freePort();
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    this.run('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
    return this;
  }

  get data() {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres') {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name) {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Idempotent. */
  stop() {
    if (existsSync(path.join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop'], false);
    rmSync(this.dir, { recursive: true, force: true });
  }

  run(tool, args, check = true) {
    const file = path.join(this.bin, tool);
    const [command, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', SUPERUSER, '--', file, ...args]] : [file, args];
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
    if (check && result.status !== 0) throw new Error(`${tool} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
  }
}

function binDir() {
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

function postgresIds() {
  const id = (flag) => Number(spawnSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).stdout.trim());
  return [id('-u'), id('-g')];
}
