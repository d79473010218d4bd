/** Lines kept per job: enough for a tail, bounded whatever a plugin writes. */
const LINES_PER_JOB = 300;
/** Characters kept per job (a line may be 4 KB; a tail of 300 such lines needs no more than this). */
const CHARS_PER_JOB = 64_000;
/** Jobs kept at once; the oldest goes first (normally each goes when its run.log arrives). */
const JOBS_KEPT = 500;
/** Characters kept over all jobs (about 16 MB of UTF-16); past it the oldest jobs' tails go. */
const CHARS_KEPT = 8_000_000;

interface Tail {
  lines: string[];
  chars: number;
}

/**
 * The run.log lines of running jobs as their workers stream them, for a live tail. Memory only:
 * the uploaded run.log is the record, and a job's lines are dropped once it is stored. Bounded in
 * lines and characters per job, and in jobs and characters in all.
 */
export class LiveLogs {
  private readonly byJob = new Map<string, Tail>();
  private totalChars = 0;

  append(jobId: string, lines: string[]): void {
    let tail = this.byJob.get(jobId);
    if (!tail) {
      tail = { lines: [], chars: 0 };
      this.byJob.set(jobId, tail);
    }
    for (const line of lines) {
      tail.lines.push(line);
      tail.chars += line.length;
    }
    this.totalChars += lines.reduce((n, line) => n + line.length, 0);
    // Keep the newest lines: drop from the front past either per-job bound (the last line always stays).
    let drop = 0;
    while (tail.lines.length - drop > 1 && (tail.lines.length - drop > LINES_PER_JOB || tail.chars > CHARS_PER_JOB)) {
      tail.chars -= tail.lines[drop]!.length;
      this.totalChars -= tail.lines[drop]!.length;
      drop += 1;
    }
    if (drop > 0) tail.lines.splice(0, drop);
    // Past the overall bounds the oldest other jobs' tails go (deleting while iterating a Map is safe).
    for (const other of this.byJob.keys()) {
      if (this.byJob.size <= JOBS_KEPT && this.totalChars <= CHARS_KEPT) break;
      if (other !== jobId) this.drop(other);
    }
  }

  lines(jobId: string): string[] {
    return this.byJob.get(jobId)?.lines ?? [];
  }

  /** The job's run.log is stored: the artifact serves it from now on. */
  drop(jobId: string): void {
    const tail = this.byJob.get(jobId);
    if (!tail) return;
    this.byJob.delete(jobId);
    this.totalChars -= tail.chars;
  }

  /** Characters kept over all jobs. */
  get size(): number {
    return this.totalChars;
  }
}
