import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { redactText } from '@fleetwright/shared';

/** The job's `run.log`: one timestamped line per step, secrets scrubbed. */
export class RunLog {
  private readonly stream: WriteStream;
  readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'run.log');
    this.stream = createWriteStream(this.file, { flags: 'a' });
  }

  line(text: string): void {
    if (this.closing) return;
    this.stream.write(`${new Date().toISOString()} ${redactText(text)}\n`);
  }

  private closing: Promise<void> | undefined;

  /** Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => this.stream.end(() => resolve()));
    return this.closing;
  }
}
