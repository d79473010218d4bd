// PM2: one master and N workers. `pm2 start ecosystem.config.js`
//   FLEET_WORKERS      number of worker processes on this host (default 2; 0 for a master-only host)
//   FLEET_MASTER_URL   where workers connect (default http://127.0.0.1:$PORT)
//   FLEET_ROLE         "all" (default), "master" or "workers": what this host runs
// Workers on other hosts: FLEET_ROLE=workers FLEET_MASTER_URL=http://master:3000 FLEET_WORKER_TOKEN=... pm2 start ecosystem.config.js
const path = require('node:path');
const os = require('node:os');

const port = process.env.PORT || '3000';
const role = process.env.FLEET_ROLE || 'all';
const workers = Number(process.env.FLEET_WORKERS ?? 2);
const masterUrl = process.env.FLEET_MASTER_URL || `http://127.0.0.1:${port}`;
const cli = path.join(__dirname, 'packages/cli/dist/main.js');
const dataDir = process.env.FLEET_DATA_DIR || path.join(__dirname, 'data');
// Long enough for a worker to let its running jobs finish (its drain deadline is 30 s) and close browsers.
const killTimeout = 45_000;

const apps = [];
if (role === 'all' || role === 'master') {
  apps.push({
    name: 'fleet-master',
    script: cli,
    args: 'master',
    cwd: __dirname,
    kill_timeout: 10_000,
    env: { PORT: port, FLEET_DATA_DIR: dataDir },
  });
}
if (role === 'all' || role === 'workers') {
  for (let i = 1; i <= workers; i += 1) {
    apps.push({
      name: `fleet-worker-${i}`,
      script: cli,
      args: 'worker',
      cwd: __dirname,
      kill_timeout: killTimeout,
      env: { FLEET_MASTER_URL: masterUrl, FLEET_WORKER_ID: process.env.FLEET_WORKER_ID_PREFIX ? `${process.env.FLEET_WORKER_ID_PREFIX}-${i}` : `${os.hostname()}-${i}`, FLEET_DATA_DIR: dataDir },
    });
  }
}

module.exports = { apps };
