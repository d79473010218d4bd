// The faults, each injected on the real processes and healed again, with what was done recorded in
// `log` (the failover figure reads the worker kills from it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { browsersOf } from './process-table.mjs';
import { progress, sleep } from './rest.mjs';

export class FaultInjector {
  /** @param {import('./chaos-fleet.mjs').ChaosFleet} fleet */
  constructor(fleet, rng) {
    this.fleet = fleet;
    this.rng = rng;
    /** @type {{ kind: string, at: number, target?: string, detail?: string }[]} */
    this.log = [];
    this.notes = [];
    this.mounts = [];
    /** Cancels the master accepted as part of a fault: `{ jobId, cancelAnsweredAt }`. */
    this.cancels = [];
  }

  record(kind, target, detail) {
    this.log.push({ kind, at: Date.now(), target, detail });
    progress(`fault: ${kind}${target ? ` ${target}` : ''}${detail ? ` (${detail})` : ''}`);
  }

  /**
   * SIGKILL of a random worker, restarted after 2-5 s. The pick is among the workers running a job
   * at that moment when there are any, so that every kill also measures a failover.
   */
  async killWorker() {
    let alive = this.fleet.workers.filter((w) => w.running);
    // A worker in a crash loop may be between two starts: wait for one to be up.
    for (let tries = 0; alive.length === 0 && tries < 30; tries += 1) {
      await sleep(500);
      alive = this.fleet.workers.filter((w) => w.running);
    }
    if (alive.length === 0) {
      this.notes.push('worker-sigkill: no worker was running; not injected');
      return;
    }
    const running = await this.fleet.api.call('GET', '/jobs?status=running&limit=500').catch(() => undefined);
    const busyIds = new Set((running?.body?.items ?? []).map((j) => j.workerId));
    const busy = alive.filter((w) => busyIds.has(w.workerId));
    const worker = this.rng.pick(busy.length > 0 ? busy : alive);
    const downMs = this.rng.int(2000, 5000);
    await worker.kill();
    this.record('worker-sigkill', worker.workerId, `restart in ${downMs} ms`);
    await sleep(downMs);
    worker.start();
  }

  /**
   * SIGKILL of the master that leads, restarted after a pause. With two masters the pause outlasts
   * the leader lease (6 s), so the other master takes over rather than the restarted one taking its
   * own lease back.
   */
  async killMaster() {
    const downMs = this.fleet.masters.length > 1 ? this.rng.int(8000, 10_000) : this.rng.int(2000, 4000);
    const master = (await this.fleet.leader()) ?? this.fleet.master;
    const killedAt = Date.now();
    await master.kill();
    this.record('master-sigkill', master.name, `restart in ${downMs} ms`);
    const takeover = this.fleet.masters.length > 1 ? this.fleet.timeTakeover(master, killedAt) : undefined;
    await sleep(downMs);
    master.start();
    await takeover;
  }

  /** A graceful Redis restart (an upgrade, a failover): every connection drops, the data stays. */
  async restartRedis() {
    const downMs = this.rng.int(2000, 4000);
    await this.fleet.redis.stop(10_000);
    this.record('redis-restart', 'redis', `down ${downMs} ms`);
    await sleep(downMs);
    this.fleet.redis.start();
  }

  /**
   * One worker cut off from the master (its Redis link stays up), then healed. If it is running a
   * job, that job is cancelled first and the link cut as soon as the worker has acknowledged the
   * cancel, before it can report the job cancelled: a cancel the master accepted must still stick.
   */
  async partitionWorker(durationMs) {
    const running = (await this.fleet.api.call('GET', '/jobs?status=running&limit=500').catch(() => undefined))?.body?.items ?? [];
    const busy = this.fleet.workers.filter((w) => running.some((j) => j.workerId === w.workerId));
    const worker = this.rng.pick(busy.length > 0 ? busy : this.fleet.workers);
    const job = running.find((j) => j.workerId === worker.workerId && j.type === 'crawl') ?? running.find((j) => j.workerId === worker.workerId);
    let cancelled = '';
    if (job) {
      const res = await this.fleet.api.call('POST', `/jobs/${job.id}/cancel`).catch(() => undefined);
      if (res?.status === 200) {
        this.cancels.push({ jobId: job.id, cancelAnsweredAt: Date.now() });
        cancelled = `, job ${job.id} cancelled just before (${res.body.status})`;
      }
    }
    worker.masterProxy.partition();
    this.record('partition-from-master', worker.workerId, `${durationMs} ms, Redis still reachable${cancelled}`);
    await sleep(durationMs);
    worker.masterProxy.heal();
    this.record('partition-healed', worker.workerId);
  }

  /** SIGKILL of the Chromium of an account that has a job running at that moment. */
  async killChromium(deadlineMs = 60_000) {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const browsers = browsersOf(this.fleet.runDir);
      const running = browsers.length === 0 ? undefined : await this.fleet.api.call('GET', '/jobs?status=running&limit=100').catch(() => undefined);
      const busy = new Map((running?.body?.items ?? []).map((j) => [j.accountId, j.id]));
      const victims = browsers.filter((b) => busy.has(b.accountId));
      if (victims.length > 0) {
        const victim = this.rng.pick(victims);
        try {
          process.kill(victim.pid, 'SIGKILL');
          this.record('chromium-sigkill', victim.accountId, `pid ${victim.pid} under job ${busy.get(victim.accountId)}`);
          return;
        } catch {
          // it ended on its own meanwhile; look again
        }
      }
      await sleep(100);
    }
    this.notes.push('chromium-sigkill: no Chromium with a running job was found in time; not injected');
  }

  /**
   * A worker's job directory on a full disk: a small tmpfs mounted over it and filled. Needs root
   * and a working `mount`; otherwise the fault is skipped and the output says so.
   */
  async fillDisk(durationMs) {
    const worker = this.rng.pick(this.fleet.workers);
    const jobsDir = path.join(worker.dataDir, 'jobs');
    mkdirSync(jobsDir, { recursive: true });
    try {
      if (process.getuid?.() !== 0) throw new Error('not running as root');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'chaos-full-disk', jobsDir], { stdio: 'pipe' });
    } catch (error) {
      this.notes.push(`disk-full: skipped, could not mount a small tmpfs (${String(error.message ?? error).split('\n')[0]})`);
      progress(`fault: disk-full skipped (${this.notes.at(-1)})`);
      return;
    }
    this.mounts.push(jobsDir);
    const filler = path.join(jobsDir, '.chaos-filler');
    const fd = openSync(filler, 'w');
    try {
      const block = Buffer.alloc(16 * 1024);
      for (;;) writeSync(fd, block);
    } catch {
      // ENOSPC: the disk is full, which is the point
    } finally {
      closeSync(fd);
    }
    this.record('disk-full', worker.workerId, `${jobsDir} full for ${durationMs} ms`);
    await sleep(durationMs);
    // The heal gives the real disk back (the worker's own job directories would keep a small tmpfs
    // full: it never deletes them). Lazily, as the worker may hold a file open there.
    this.unmount(jobsDir);
    this.record('disk-freed', worker.workerId);
  }

  unmount(dir) {
    this.mounts = this.mounts.filter((d) => d !== dir);
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch (error) {
      this.notes.push(`could not unmount ${dir}: ${String(error.message ?? error).split('\n')[0]}`);
    }
  }

  /** Unmounts whatever `fillDisk` left mounted (after a failed run). */
  unmountAll() {
    for (const dir of [...this.mounts]) this.unmount(dir);
  }
}
