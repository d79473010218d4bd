// Shared bench helpers: child processes, free ports, process stats, medians, progress on stderr.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function progress(line) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CPU ticks (user+system) and RSS of a pid, from /proc. */
export function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssBytes: Number(fields[21]) * 4096 };
}

export async function waitFor(what, check, timeoutMs = 60_000, intervalMs = 50) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** JSON over the master's REST API with a Bearer token; a non-2xx answer throws with its body. */
export function restApi(baseUrl, token) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return async (method, route, body) => {
    const res = await fetch(`${baseUrl}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${route}: ${JSON.stringify(json)}`);
    return json;
  };
}

/**
 * `post(route, body)` over a keep-alive pool of `sockets` connections, as a production client
 * would hold: the paced phases submit one request per job, and Node's `fetch` spent 0.4–1.9 of the
 * machine's two cores doing that (measured with a loop-delay probe), which the master then had to
 * share. Resolves with the parsed answer; a non-2xx answer rejects with its body.
 */
export function pooledPoster(baseUrl, token, sockets = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const post = (route, body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
      const req = http.request(`${baseUrl}${route}`, { method: 'POST', agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode >= 300) reject(new Error(`POST ${route}: ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : null);
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  post.close = () => agent.destroy();
  return post;
}

/**
 * Jobs' ends as a `/client` socket sees them (`job:done`), whether the event comes before or after
 * the caller asks: `endOf(id)` resolves with the job view, once per job.
 */
export function jobEnds(client, jobDoneEvent, timeoutMs = 60_000) {
  const ended = new Map();
  const waiting = new Map();
  client.on(jobDoneEvent, (job) => (waiting.has(job.id) ? waiting.get(job.id)(job) : ended.set(job.id, job)));
  return (id) => {
    if (ended.has(id)) {
      const job = ended.get(id);
      ended.delete(id);
      return Promise.resolve(job);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for job ${id}`)), timeoutMs);
      waiting.set(id, (job) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(job);
      });
    });
  };
}

/**
 * The sandbox page both browser benches read: user `bencher` (password `bencher-pass-1`) with one
 * post carrying `comments` comments by `commenter`.
 */
export async function seedCommentsPage(sandboxUrl, comments = 20) {
  const admin = async (route, body) =>
    (await fetch(`${sandboxUrl}/admin${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const user = async (handle) => {
    await admin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-pass-1` });
    return (await admin('/posts', { author: handle, text: 'bench post' })).id;
  };
  const postId = await user('bencher');
  await user('commenter');
  for (let i = 0; i < comments; i += 1) await admin('/comments', { postId, author: 'commenter', text: `comment ${i}` });
}

/**
 * The paced phase's offered load: `submit(i)` for i = 0…rate×seconds−1, each at its due time (rate per
 * second from now), not waiting for one before the next. Resolves with each submit's start time once
 * all have been accepted; a failed submit rejects it (after the loop, so nothing is left unhandled).
 */
export async function pacedSubmits(rate, seconds, submit) {
  const total = rate * seconds;
  const startedAt = new Array(total);
  const inflight = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    for (; sent < due; sent += 1) {
      startedAt[sent] = performance.now();
      const submitted = submit(sent);
      submitted.catch(() => undefined);
      inflight.push(submitted);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inflight);
  return startedAt;
}

/**
 * The pause between a benchmark's saturated phase and its paced one. Started back to back, the
 * first half second of the paced phase measured the end of the saturated one (the master still
 * checkpointing its WAL, the client collecting 20,000 jobs' worth of garbage): 140 of the 200
 * slowest paced jobs in one run fell there.
 */
export const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2000);
export const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** A throwaway redis-server on a free loopback port (no persistence); `stop()` ends it. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const ping = () =>
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG') ? true : undefined);
      });
      socket.once('error', () => resolve(undefined));
    });
  await waitFor('redis-server', ping, 10_000, 50);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

export { fork, spawn };
