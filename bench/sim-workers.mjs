// Simulated workers for bench:dispatch: real socket.io clients in their own process that accept
// every job and report it succeeded at once (no-op jobs), as the real worker protocol does.
import { io } from 'socket.io-client';
import { WorkerEvent, MasterEvent, Namespace } from '@fleetwright/shared/contract';

const [url, token, count, concurrency] = [
  process.env.BENCH_MASTER_URL,
  process.env.BENCH_WORKER_TOKEN,
  Number(process.env.BENCH_WORKERS ?? 50),
  Number(process.env.BENCH_CONCURRENCY ?? 4),
];
const sockets = [];
let registered = 0;

for (let i = 0; i < count; i += 1) {
  const socket = io(`${url}${Namespace.Worker}`, { auth: { workerId: `bench-${i}`, token }, transports: ['websocket'] });
  sockets.push(socket);
  socket.on(MasterEvent.TaskAssign, (_task, ack) => ack({ ok: true, data: undefined }));
  socket.on(MasterEvent.TaskRevoke, (_r, ack) => ack({ ok: true, data: undefined }));
  socket.on(MasterEvent.JobCancel, (_c, ack) => ack({ ok: true, data: undefined }));
  socket.on(MasterEvent.WorkerDrain, (_d, ack) => ack({ ok: true, data: undefined }));
  socket.on(MasterEvent.JobRun, (run, ack) => {
    ack({ ok: true, data: undefined });
    socket.emit(
      WorkerEvent.JobResult,
      { jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt, status: 'succeeded', result: null },
      () => undefined,
    );
  });
  socket.on('connect', () => {
    socket.emit(
      WorkerEvent.Register,
      {
        host: 'bench',
        version: '0.1.0',
        capabilities: [{ platform: 'bench', jobTypes: ['noop'] }],
        maxAccounts: 10_000,
        maxConcurrency: concurrency,
        maxLiveContexts: 10_000,
        runningJobs: [],
      },
      (ack) => {
        if (!ack.ok) throw new Error(JSON.stringify(ack.error));
        registered += 1;
        if (registered === count) process.send?.({ ready: true });
      },
    );
  });
  // Heartbeats keep the workers online for the whole run.
  setInterval(
    () => socket.emit(WorkerEvent.Heartbeat, { stats: { rssBytes: 0, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 } }, () => undefined),
    5000,
  ).unref();
}

process.on('disconnect', () => {
  for (const s of sockets) s.disconnect();
  process.exit(0);
});
