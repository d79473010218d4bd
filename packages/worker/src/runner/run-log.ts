import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { redactText } from '@fleetwright/shared';

/** Lines are written and handed to the live sink at most this often: a chatty plugin costs one write and one send per window. */
const FLUSH_MS = 200;
/** The protocol's bounds for one `worker:job:log`: longer lines are cut, bigger batches split. */
const LIVE_LINE_MAX = 4000;
const LIVE_BATCH_MAX = 500;

export interface RunLogOptions {
  /** Where the same lines go while the job runs, in batches (the dashboard's live tail). */
  live?: (lines: string[]) => void;
  /** Runs before each batch is scrubbed: the job learns the secrets its lines may quote. */
  beforeFlush?: () => Promise<void>;
  /** The job's own secrets scrubber, applied after the process-wide redactor. */
  scrub?: (text: string) => string;
  /** Told once when the file cannot be written (a full disk); the lines still go live. */
  onFileError?: (error: Error) => void;
}

/**
 * The job's `run.log`: one timestamped line per step, secrets scrubbed. The lines go to the file,
 * and to the `live` sink if there is one, in batches while the job runs. A file that cannot be
 * written (ENOSPC, a directory that cannot be made) is given up at its first error: the job goes
 * on, and so do the live lines.
 */
export class RunLog {
  private readonly stream: WriteStream | undefined;
  readonly file: string;
  private fileFailed = false;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    dir: string,
    private readonly options: RunLogOptions = {},
  ) {
    this.file = path.join(dir, 'run.log');
    try {
      mkdirSync(dir, { recursive: true });
      this.stream = createWriteStream(this.file, { flags: 'a' });
      // Without a listener a write error (ENOSPC) is an uncaught exception: the worker would die.
      this.stream.on('error', (error) => this.fileError(error));
    } catch (error) {
      this.fileError(error as Error);
    }
  }

  private fileError(error: Error): void {
    if (this.fileFailed) return;
    this.fileFailed = true;
    this.options.onFileError?.(error);
  }

  line(text: string): void {
    if (this.closing) return;
    this.pending.push(`${new Date().toISOString()} ${redactText(text)}`);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes and sends what is pending, in order with earlier batches. */
  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const raw = this.pending;
    this.pending = [];
    if (raw.length === 0) return this.flushing;
    this.flushing = this.flushing
      .then(async () => {
        await this.options.beforeFlush?.().catch(() => undefined);
        const scrub = this.options.scrub;
        const lines = scrub ? raw.map(scrub) : raw;
        if (!this.fileFailed) this.stream?.write(`${lines.join('\n')}\n`);
        if (!this.options.live) return;
        const cut = lines.map((line) => (line.length > LIVE_LINE_MAX ? `${line.slice(0, LIVE_LINE_MAX)}…` : line));
        for (let i = 0; i < cut.length; i += LIVE_BATCH_MAX) this.options.live(cut.slice(i, i + LIVE_BATCH_MAX));
      })
      .catch(() => undefined); // the live tail is best effort; a failed send must not stop the next batch
    return this.flushing;
  }

  /** Idempotent; writes and sends what is still pending. Resolves once the file is closed, written or not. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      if (!this.stream) return;
      if (this.fileFailed) this.stream.destroy();
      else this.stream.end();
      await finished(this.stream).catch(() => undefined);
    })();
    return this.closing;
  }
}
