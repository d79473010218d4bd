// The master under test, as its own process (`node packages/cli/dist/main.js master`), so that an
// exception nothing catches ends that process, and the fuzzer sees it as a crash and starts it
// again on the same data dir and port.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../bench/lib.mjs';

const CLI_MAIN = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

export class MasterChild {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-fuzz-'));
  dataDir = path.join(this.tempDir, 'data');
  dbFile = path.join(this.dataDir, 'master.db');
  apiToken = `fwa_${randomBytes(16).toString('hex')}`;
  workerToken = `fww_${randomBytes(16).toString('hex')}`;
  secretKeyHex = randomBytes(32).toString('hex');
  /** Process exits the fuzzer did not ask for, with the tail of the output before each. */
  exits = [];
  child = undefined;
  port = 0;
  output = '';

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** True while the process runs. */
  get alive() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    if (!this.port) this.port = await freePort();
    this.output = '';
    const env = {
      PATH: process.env.PATH,
      PORT: String(this.port),
      FLEET_DATA_DIR: this.dataDir,
      FLEET_WORKER_TOKEN: this.workerToken,
      FLEET_API_TOKEN: this.apiToken,
      FLEET_SECRET_KEY: this.secretKeyHex,
      // Long enough that no worker of the fuzzer is marked offline while it runs (the state would
      // move under the partial-write check): 3 missed heartbeats = 30 minutes.
      FLEET_HEARTBEAT_INTERVAL_MS: '600000',
      FLEET_LOG_LEVEL: 'warn',
      FLEET_DASHBOARD_DIR: path.join(this.tempDir, 'no-dashboard'),
    };
    const child = spawn(process.execPath, [CLI_MAIN, 'master'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child === child && !this.stopping) this.exits.push({ code, signal, output: this.output.slice(-4_000) });
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the master exited at start (${child.exitCode}): ${this.output}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the master did not answer /health in 20 s: ${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves once the process is gone, killing it if it is still there. */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    await new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
    this.stopping = false;
  }

  async close() {
    try {
      await this.stop();
    } finally {
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}
