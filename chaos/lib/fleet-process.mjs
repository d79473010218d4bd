// The fleet's real processes, as an operator runs them: `fleet master`, `fleet worker` and a
// redis-server, each a child of the harness with its output in <run>/logs/<name>.log.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** A child process that can be killed the hard way and started again with the same settings. */
export class ChaosProcess {
  /**
   * @param {string} name  e.g. `master`, `worker-1`, `redis`
   * @param {string} command  @param {string[]} args  @param {NodeJS.ProcessEnv} env  @param {string} logDir
   */
  constructor(name, command, args, env, logDir) {
    Object.assign(this, { name, command, args, env, logDir });
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.child = undefined;
    this.starts = 0;
    /** Exits nobody asked for (a crash), as a supervisor such as PM2 sees them. */
    this.crashes = 0;
    /** Set while the harness itself stops or kills the process. */
    this.expectingExit = false;
    this.supervised = false;
  }

  /**
   * Restarts the process after an exit nobody asked for (a crash), after `delayMs`, as PM2 does
   * for the fleet's processes; `onCrash` hears of each one.
   */
  supervise(onCrash, delayMs = 1000) {
    this.supervised = true;
    this.onCrash = onCrash;
    this.restartDelayMs = delayMs;
    return this;
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid() {
    return this.child?.pid;
  }

  start() {
    if (this.running) return this;
    this.expectingExit = false;
    mkdirSync(this.logDir, { recursive: true });
    const log = openSync(path.join(this.logDir, `${this.name}.log`), 'a');
    this.child = spawn(this.command, this.args, { env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.starts += 1;
    const child = this.child;
    child.once('exit', (code, signal) => {
      if (this.expectingExit || !this.supervised || this.child !== child) return;
      this.crashes += 1;
      this.onCrash?.(this, code, signal);
      setTimeout(() => !this.expectingExit && this.start(), this.restartDelayMs).unref();
    });
    return this;
  }

  /** SIGKILL: no cleanup, no goodbye. Resolves once the process is gone. */
  kill() {
    return this.signal('SIGKILL', 0);
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`. */
  stop(timeoutMs = 30_000) {
    return this.signal('SIGTERM', timeoutMs);
  }

  signal(signal, killAfterMs) {
    const child = this.child;
    this.expectingExit = true;
    if (!child || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = killAfterMs > 0 ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
      child.once('exit', () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}

export function fleetProcess(name, role, env, logDir) {
  return new ChaosProcess(name, process.execPath, [CLI, role], { ...process.env, ...env }, logDir);
}

/** redis-server on a fixed port, append-only so a restart keeps the fence counters (see RELIABILITY.md). */
export function redisProcess(port, dir, logDir) {
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  return new ChaosProcess('redis', 'redis-server', args, process.env, logDir);
}
