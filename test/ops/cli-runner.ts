import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve('packages/cli/dist/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `fleet` process whose output is collected as it comes. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr })));
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Starts the real CLI as a user would run it, with `env` on top of this process's environment. */
export function startCli(args: string[], env: Record<string, string | undefined>, input?: string): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(input ?? '');
  return new CliProcess(child);
}

/** Runs the CLI to its end (at most `timeoutMs`). */
export async function runCli(args: string[], env: Record<string, string | undefined>, input?: string, timeoutMs = 20_000): Promise<CliResult> {
  const cli = startCli(args, env, input);
  const timer = setTimeout(() => cli.kill(), timeoutMs);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** stderr without npm's config warning, as lines. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.includes('nodedir'));
}
