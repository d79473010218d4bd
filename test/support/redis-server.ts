import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

/** A real redis-server on a free loopback port, with no persistence; `stop()` ends it. */
export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly temp = makeTempDir('fleet-redis-');
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.temp.dir], {
      stdio: 'ignore',
    });
    const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server is up; the loop retries
    try {
      await waitFor(
        'redis-server to accept connections',
        async () => {
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG' ? true : undefined;
          } catch {
            probe.disconnect();
            return undefined;
          }
        },
        10_000,
        50,
      );
    } finally {
      probe.disconnect();
    }
    return this;
  }

  client(): Redis {
    return new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  }

  async stop(): Promise<void> {
    await this.kill();
    this.temp.remove();
  }

  /** Freezes the server (SIGSTOP): connections stay open and commands get no answer. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Lets a paused server go on (SIGCONT); it answers what was sent meanwhile. */
  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Kills the server and starts an empty one on the same port (no persistence: every key is gone). */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  private async kill(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
  }
}
