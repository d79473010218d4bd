import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JobRun } from '@fleetwright/shared';
import { waitUntil } from './wait-until.js';

const SCRIPT = fileURLToPath(new URL('./worker-process.mjs', import.meta.url));

/** A scripted worker in its own process (see worker-process.mjs), to be killed for real. */
export class WorkerProcess {
  readonly runs: JobRun[] = [];
  private registered: boolean | undefined;
  private buffered = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let at = this.buffered.indexOf('\n'); at >= 0; at = this.buffered.indexOf('\n')) {
        const line = JSON.parse(this.buffered.slice(0, at)) as { run?: JobRun; registered?: boolean };
        this.buffered = this.buffered.slice(at + 1);
        if (line.run) this.runs.push(line.run);
        if (line.registered !== undefined) this.registered = line.registered;
      }
    });
  }

  /** Spawns the worker and resolves once the master accepted its registration. */
  static async start(url: string, workerId: string, token: string): Promise<WorkerProcess> {
    const worker = new WorkerProcess(spawn(process.execPath, [SCRIPT, url, workerId, token], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const registered = await waitUntil(`worker process ${workerId} to register`, () => worker.registered, 10_000);
    if (!registered) throw new Error(`worker process ${workerId}: register refused`);
    return worker;
  }

  waitForRun(n = 0, timeoutMs = 5_000): Promise<JobRun> {
    return waitUntil(`worker process to receive job:run #${n + 1}`, () => this.runs[n], timeoutMs);
  }

  /** SIGKILL, and resolves once the process is gone. Idempotent. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
