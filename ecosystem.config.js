// PM2: one master and N workers. `pm2 start ecosystem.config.js`
//   FLEET_ROLE              "all" (default), "master" or "workers": what this host runs
//   FLEET_WORKERS           worker processes on this host (default 2; 0 for a master-only host)
//   FLEET_MASTER_URL        where workers connect (default http://127.0.0.1:$PORT)
//   FLEET_WORKER_ID_PREFIX  worker ids are <prefix>-1..N (default: this host's name)
//   FLEET_DRAIN_TIMEOUT_MS  how long a stopping worker lets its running jobs finish (default 30000)
//   FLEET_REDIS_URL         Redis for profile locks across hosts (default: none, the master grants leases);
//                           with FLEET_DATABASE_URL, also how the masters share their events
//   FLEET_MASTERS           master processes on this host (default 1), on PORT, PORT+1, ...; more than
//                           one needs FLEET_DATABASE_URL (PostgreSQL): they share it, one leads
// Workers on other hosts: FLEET_ROLE=workers FLEET_MASTER_URL=http://master:3000 FLEET_WORKER_TOKEN=... pm2 start ecosystem.config.js
// Every other FLEET_* variable (README, Configuration) reaches the processes from the shell that runs pm2.
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');

const port = process.env.PORT || '3000';
const role = process.env.FLEET_ROLE || 'all';
const workers = Number(process.env.FLEET_WORKERS ?? 2);
const masters = Number(process.env.FLEET_MASTERS ?? 1);
if (!Number.isInteger(masters) || masters < 1) throw new Error(`FLEET_MASTERS must be a whole number of at least 1 (got ${process.env.FLEET_MASTERS})`);
if (masters > 1 && !process.env.FLEET_DATABASE_URL)
  throw new Error('FLEET_MASTERS above 1 needs FLEET_DATABASE_URL: masters share a PostgreSQL database (SQLite belongs to one master)');
const masterPort = (i) => String(Number(port) + i - 1);
// Workers get every local master: they find the one that leads.
const masterUrl = process.env.FLEET_MASTER_URL || Array.from({ length: masters }, (_, k) => `http://127.0.0.1:${masterPort(k + 1)}`).join(',');
const cli = path.join(__dirname, 'packages/cli/dist/main.js');
const dataDir = process.env.FLEET_DATA_DIR || path.join(__dirname, 'data');
const logDir = path.join(dataDir, 'logs');
fs.mkdirSync(logDir, { recursive: true }); // PM2 opens its log files before the processes start
const idPrefix = process.env.FLEET_WORKER_ID_PREFIX || os.hostname();
// PM2 stops a process with SIGINT, then SIGKILL after kill_timeout. A worker first lets its running
// jobs finish for the drain deadline (then hands the rest back to the master, which retries them),
// and then snapshots and closes its browsers: kill_timeout is the deadline plus time for that.
const drainTimeoutMs = Number(process.env.FLEET_DRAIN_TIMEOUT_MS || 30_000);
const BROWSER_CLOSE_MS = 15_000;

// What PM2 itself captures from the console (the processes also write JSON logs to data/logs).
const logFiles = (name) => ({ out_file: path.join(logDir, `${name}.out.log`), error_file: path.join(logDir, `${name}.err.log`), merge_logs: true });

const apps = [];
if (role === 'all' || role === 'master') {
  for (let i = 1; i <= masters; i += 1) {
    const name = i === 1 ? 'fleet-master' : `fleet-master-${i}`;
    apps.push({
      name,
      script: cli,
      args: 'master',
      cwd: __dirname,
      kill_timeout: 10_000,
      ...logFiles(name),
      env: {
        PORT: masterPort(i),
        FLEET_DATA_DIR: dataDir,
        ...(masters > 1 ? { FLEET_MASTER_ID: `${os.hostname()}-master-${i}`, FLEET_MASTER_PUBLIC_URL: `http://127.0.0.1:${masterPort(i)}` } : {}),
      },
    });
  }
}
if (role === 'all' || role === 'workers') {
  for (let i = 1; i <= workers; i += 1) {
    apps.push({
      name: `fleet-worker-${i}`,
      script: cli,
      args: 'worker',
      cwd: __dirname,
      kill_timeout: drainTimeoutMs + BROWSER_CLOSE_MS,
      // PM2 would send the stop signal to the whole process tree, killing the browsers under a
      // running job at once; the worker closes its own browsers once the drain is over.
      treekill: false,
      // A worker that cannot reach its master retries by itself; a crash is restarted with a growing delay.
      exp_backoff_restart_delay: 1000,
      ...logFiles(`fleet-worker-${i}`),
      env: {
        FLEET_MASTER_URL: masterUrl,
        FLEET_WORKER_ID: `${idPrefix}-${i}`,
        FLEET_DATA_DIR: dataDir,
        FLEET_DRAIN_TIMEOUT_MS: String(drainTimeoutMs),
        ...(process.env.FLEET_REDIS_URL ? { FLEET_REDIS_URL: process.env.FLEET_REDIS_URL } : {}),
      },
    });
  }
}

module.exports = { apps };
