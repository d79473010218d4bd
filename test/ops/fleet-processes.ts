import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli-runner.js';

/** A `fleet master` or `fleet worker` child process, with its console output kept. */
export class FleetProcess {
  output = '';
  readonly child: ChildProcess;

  constructor(role: 'master' | 'worker', env: Record<string, string>) {
    this.child = spawn(process.execPath, [CLI, role], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** SIGTERM, as PM2 and Ctrl-C send it; resolves with the exit code. */
  stop(timeoutMs = 60_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.child.kill('SIGTERM');
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
