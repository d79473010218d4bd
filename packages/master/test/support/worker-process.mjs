// A worker as a separate process: a socket.io client that registers, acknowledges everything the
// master asks, heartbeats, and prints each job:run it gets as one JSON line. A test kills it with
// SIGKILL, as an OOM kill or a crash would: the master sees its TCP connection close.
import { io } from 'socket.io-client';
import { MasterEvent, Namespace, WorkerEvent } from '@fleetwright/shared';

const [url, workerId, token] = process.argv.slice(2);
const stats = { rssBytes: 1000, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 };
const socket = io(`${url}${Namespace.Worker}`, { auth: { workerId, token }, transports: ['websocket'], reconnection: false });
const ok = (_payload, ack) => ack?.({ ok: true, data: undefined });
for (const event of [MasterEvent.TaskAssign, MasterEvent.TaskRevoke, MasterEvent.JobCancel, MasterEvent.WorkerDrain]) socket.on(event, ok);
socket.on(MasterEvent.JobRun, (run, ack) => {
  ack({ ok: true, data: undefined });
  process.stdout.write(`${JSON.stringify({ run })}\n`);
});
socket.on('connect', async () => {
  const ack = await socket.timeout(5_000).emitWithAck(WorkerEvent.Register, {
    host: 'worker-process',
    version: '0.0.0-test',
    capabilities: [{ platform: 'sandbox', jobTypes: ['crawl', 'login'] }],
    maxAccounts: 10,
    maxConcurrency: 4,
    maxLiveContexts: 4,
  });
  process.stdout.write(`${JSON.stringify({ registered: ack.ok })}\n`);
  setInterval(() => socket.emit(WorkerEvent.Heartbeat, { stats }, () => undefined), 200);
});
