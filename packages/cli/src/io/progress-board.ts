import type { JobStatus } from '@fleetwright/shared/contract';

export interface JobLine {
  id: string;
  type: string;
  status: JobStatus;
  percent: number;
  step: string;
  attempt: number;
}

const BAR_WIDTH = 24;

/** `[#########---------------]  38%` */
export function progressBar(percent: number, width = BAR_WIDTH): string {
  const clamped = Math.max(0, Math.min(100, percent));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(clamped)).padStart(3)}%`;
}

export function formatJobLine(job: JobLine): string {
  const retry = job.attempt > 1 ? ` attempt ${job.attempt}` : '';
  return `${job.id.slice(0, 8)} ${job.type.padEnd(12)} ${progressBar(job.percent)} ${job.status}${retry}${job.step ? ` · ${job.step}` : ''}`;
}

/**
 * Live progress bars, one line per job. On a terminal the lines are redrawn in place; into a
 * pipe or a file each change is one new line, so logs and tests read the history.
 */
export class ProgressBoard {
  private readonly jobs = new Map<string, JobLine>();
  private readonly printed = new Map<string, string>();
  private drawnLines = 0;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {}

  update(job: JobLine): void {
    this.jobs.set(job.id, job);
    if (this.out.isTTY) {
      this.redraw();
      return;
    }
    const line = formatJobLine(job);
    if (this.printed.get(job.id) === line) return;
    this.printed.set(job.id, line);
    this.out.write(`${line}\n`);
  }

  private redraw(): void {
    // Up to the first bar, then every bar again, each line cleared first.
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    for (const job of this.jobs.values()) text += `\r\x1b[2K${formatJobLine(job)}\n`;
    this.drawnLines = this.jobs.size;
    this.out.write(text);
  }
}
