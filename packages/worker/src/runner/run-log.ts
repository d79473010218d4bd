import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { redactText } from '@fleetwright/shared';

/** Lines are handed to the live sink at most this often, so a chatty plugin costs one send per window. */
const LIVE_FLUSH_MS = 200;
/** The protocol's bounds for one `worker:job:log`: longer lines are cut, bigger batches split. */
const LIVE_LINE_MAX = 4000;
const LIVE_BATCH_MAX = 500;

/**
 * The job's `run.log`: one timestamped line per step, secrets scrubbed. With a `live` sink, the
 * same lines also go out in batches while the job runs (the dashboard's live tail).
 */
export class RunLog {
  private readonly stream: WriteStream;
  readonly file: string;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    dir: string,
    private readonly live?: (lines: string[]) => void,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'run.log');
    this.stream = createWriteStream(this.file, { flags: 'a' });
  }

  line(text: string): void {
    if (this.closing) return;
    const line = `${new Date().toISOString()} ${redactText(text)}`;
    this.stream.write(`${line}\n`);
    if (!this.live) return;
    this.pending.push(line.length > LIVE_LINE_MAX ? `${line.slice(0, LIVE_LINE_MAX)}…` : line);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), LIVE_FLUSH_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    for (let i = 0; i < lines.length; i += LIVE_BATCH_MAX) this.live?.(lines.slice(i, i + LIVE_BATCH_MAX));
  }

  /** Idempotent; sends what is still pending. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.flush();
      this.stream.end(() => resolve());
    });
    return this.closing;
  }
}
