// Simulated workers for bench:dispatch and bench:scale: real socket.io clients in their own process
// that accept every job and report it succeeded at once (no-op jobs), as the real worker protocol does.
//
// BENCH_MASTER_URL may list several masters (comma-separated): as the real worker's MasterConnection
// does, a worker refused with NOT_LEADER, or whose master is out of reach, moves on to the next one.
// BENCH_HEARTBEAT_MS=master heartbeats at the interval the master gives at registration (else every
// 5 s), and BENCH_BROWSER_REPORTS=1 lists every account the worker holds as a running browser in
// each heartbeat, as a worker with all its contexts open would.
import { io } from 'socket.io-client';
import { WorkerEvent, MasterEvent, Namespace } from '@fleetwright/shared/contract';

const urls = process.env.BENCH_MASTER_URL.split(',').map((u) => u.trim());
const token = process.env.BENCH_WORKER_TOKEN;
const count = Number(process.env.BENCH_WORKERS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** Where this process's worker ids start (several processes share one fleet). */
const firstId = Number(process.env.BENCH_WORKER_OFFSET ?? 0);
const maxAccounts = Number(process.env.BENCH_MAX_ACCOUNTS ?? 10_000);
const heartbeatFromMaster = process.env.BENCH_HEARTBEAT_MS === 'master';
const browserReports = process.env.BENCH_BROWSER_REPORTS === '1';
const sockets = [];
const registered = new Set();
const ack = (_payload, reply) => reply({ ok: true, data: undefined });

for (let i = firstId; i < firstId + count; i += 1) {
  // Each worker starts at another master of the list, so the list's order matters as in a real fleet.
  let current = i % urls.length;
  const socket = io(`${urls[current]}${Namespace.Worker}`, {
    auth: { workerId: `bench-${i}`, token },
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  sockets.push(socket);
  /** Accounts this worker holds, with the epoch of their assignment. */
  const held = new Map();
  const nextMaster = (redial) => {
    if (urls.length < 2) return;
    current = (current + 1) % urls.length;
    socket.io.uri = urls[current];
    if (redial) setTimeout(() => !socket.connected && socket.connect(), 250).unref();
  };
  // socket.io does not reconnect after the server cut the socket (missed heartbeats, a master
  // stepping down): come back after a pause, as the worker's MasterConnection does.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') setTimeout(() => !socket.connected && socket.connect(), 1000).unref();
  });
  socket.on('connect_error', (error) => {
    if (error.data?.code === 'NOT_LEADER') nextMaster(true);
    else if (!error.data) nextMaster(false);
  });
  socket.on(MasterEvent.TaskAssign, (task, reply) => {
    held.set(task.accountId, task.epoch);
    reply({ ok: true, data: undefined });
  });
  socket.on(MasterEvent.TaskRevoke, (revoke, reply) => {
    if (held.get(revoke.accountId) === revoke.epoch) held.delete(revoke.accountId);
    reply({ ok: true, data: undefined });
  });
  socket.on(MasterEvent.JobCancel, ack);
  socket.on(MasterEvent.WorkerDrain, ack);
  socket.on(MasterEvent.JobRun, (run, reply) => {
    reply({ ok: true, data: undefined });
    socket.emit(
      WorkerEvent.JobResult,
      { jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt, status: 'succeeded', result: null },
      () => undefined,
    );
  });
  const heartbeat = () =>
    socket.emit(
      WorkerEvent.Heartbeat,
      {
        stats: { rssBytes: 0, browserRssBytes: 0, cpuPercent: 0, liveContexts: browserReports ? held.size : 0, runningJobs: 0 },
        ...(browserReports ? { browsers: [...held].map(([accountId, epoch]) => ({ accountId, epoch, state: 'running', fenceToken: null, error: null })) } : {}),
      },
      () => undefined,
    );
  let beating;
  socket.on('connect', () => {
    socket.emit(
      WorkerEvent.Register,
      {
        host: 'bench',
        version: '0.1.0',
        capabilities: [{ platform: 'bench', jobTypes: ['noop'] }],
        maxAccounts,
        maxConcurrency: concurrency,
        maxLiveContexts: 10_000,
        runningJobs: [],
        heldAccounts: [...held].map(([accountId, epoch]) => ({ accountId, epoch })),
      },
      (reply) => {
        if (!reply.ok) throw new Error(JSON.stringify(reply.error));
        if (heartbeatFromMaster && !beating) {
          // Spread over the interval, as workers started at different times would be.
          const interval = reply.data.heartbeatIntervalMs;
          setTimeout(() => {
            heartbeat();
            beating = setInterval(heartbeat, interval);
            beating.unref();
          }, Math.random() * interval).unref();
          beating = true;
        }
        if (registered.size === count) return;
        registered.add(i);
        if (registered.size === count) process.send?.({ ready: true });
      },
    );
  });
  // Heartbeats keep the workers online for the whole run.
  if (!heartbeatFromMaster) setInterval(heartbeat, 5000).unref();
}

process.on('disconnect', () => {
  for (const s of sockets) s.disconnect();
  process.exit(0);
});
