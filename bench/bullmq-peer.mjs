// The peer of bench:dispatch (../shared/BENCHMARKS.md): BullMQ on a local Redis, same worker shape,
// same phases, measured in the same run as ours. Throughput: JOBS no-op jobs added in bulk (500 per
// call, 4 calls in flight), first add → last `completed` seen by the client (QueueEvents). Latency:
// the paced phase after the same settle as ours, one `add` per job, add → `completed` on the client.
import { Queue, QueueEvents } from 'bullmq';
import { fork, pacedSubmits, percentile, progress, settle, waitFor } from './lib.mjs';

export async function bullmqRun({ run, redisUrl, jobs, workers, concurrency, pacedRate, pacedSeconds, workersScript }) {
  const name = `bench-${run}-${Date.now()}`;
  const connection = { url: redisUrl };
  // Each job leaves several events (added, waiting, active, completed) in the events stream, which
  // BullMQ trims at 10,000 by default: a QueueEvents reader that falls behind loses `completed`
  // events, and the run waits for them until its timeout. Seen once: a bench sat idle in BullMQ's
  // phase with every process waiting (the likely cause; not proven).
  const queue = new Queue(name, {
    connection,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    streams: { events: { maxLen: Math.max(10_000, jobs * 5) } },
  });
  const events = new QueueEvents(name, { connection });
  const sims = fork(workersScript, [], {
    env: { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_QUEUE: name, BENCH_WORKERS: String(workers), BENCH_CONCURRENCY: String(concurrency) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    await Promise.all([events.waitUntilReady(), new Promise((resolve) => sims.once('message', resolve))]);
    const doneAt = new Map();
    events.on('completed', ({ jobId }) => doneAt.set(jobId, performance.now()));

    const t0 = performance.now();
    const chunks = [];
    for (let i = 0; i < jobs; i += 500)
      chunks.push(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'noop', data: {}, opts: { jobId: `t-${i + k}` } })));
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < chunks.length) await queue.addBulk(chunks[next++]);
      }),
    );
    await waitFor('every BullMQ throughput job to complete', () => (doneAt.size >= jobs ? true : undefined), 600_000, 20);
    const jobsPerSec = jobs / ((Math.max(...doneAt.values()) - t0) / 1000);
    progress(`run ${run}: BullMQ ${Math.round(jobsPerSec)} jobs/s`);

    doneAt.clear();
    await settle();
    const total = pacedRate * pacedSeconds;
    const startedAt = await pacedSubmits(pacedRate, pacedSeconds, (i) => queue.add('noop', {}, { jobId: `p-${i}` }));
    await waitFor('every BullMQ paced job to complete', () => (doneAt.size >= total ? true : undefined), 120_000, 20);
    const latencies = startedAt.map((at, i) => doneAt.get(`p-${i}`) - at);
    const result = { jobsPerSec, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    progress(`run ${run}: BullMQ paced ${pacedRate}/s p50 ${result.p50Ms.toFixed(1)} ms p99 ${result.p99Ms.toFixed(1)} ms`);
    return result;
  } finally {
    sims.disconnect();
    setTimeout(() => sims.kill('SIGKILL'), 5_000).unref();
    await new Promise((resolve) => (sims.exitCode !== null ? resolve() : sims.once('exit', resolve)));
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
