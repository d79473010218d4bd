// The peer's side of bench:dispatch: BullMQ workers in their own process (as our simulated
// workers are), the same shape (BENCH_WORKERS × BENCH_CONCURRENCY), no-op jobs.
import { Worker } from 'bullmq';

const connection = { url: process.env.BENCH_REDIS_URL };
const count = Number(process.env.BENCH_WORKERS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const workers = [];
for (let i = 0; i < count; i += 1) workers.push(new Worker(process.env.BENCH_QUEUE, async () => null, { connection, concurrency }));
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.send?.('ready');
process.on('disconnect', () => void Promise.allSettled(workers.map((w) => w.close(true))).then(() => process.exit(0)));
