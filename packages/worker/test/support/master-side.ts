import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobEventReport, JobReporter } from '../../dist/runner/job-reporter.js';

/**
 * Gives a recording reporter the two master-bound paths it lacks: artifact uploads (copied to
 * `<dir>/<jobId>/<name>`, as the master stores them) and plugin events. `fail` makes every upload
 * throw, as a master that is gone would.
 */
export class MasterSide {
  readonly events: JobEventReport[] = [];
  fail = false;

  constructor(readonly dir: string) {}

  attach(reporter: JobReporter): void {
    Object.assign(reporter, {
      uploadArtifact: async (jobId: string, name: string, file: string) => {
        if (this.fail) throw new Error('master unreachable');
        mkdirSync(path.join(this.dir, jobId), { recursive: true });
        copyFileSync(file, path.join(this.dir, jobId, name));
      },
      jobEvent: async (report: JobEventReport) => {
        this.events.push(report);
      },
    });
  }

  /** The files uploaded for a job, by name. */
  files(jobId: string): Map<string, Buffer> {
    const dir = path.join(this.dir, jobId);
    if (!existsSync(dir)) return new Map();
    return new Map(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name))]));
  }
}
