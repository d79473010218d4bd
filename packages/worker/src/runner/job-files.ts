import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@fleetwright/shared';
import { firstLineOf } from './classify-error.js';
import type { JobReporter } from './job-reporter.js';

/**
 * A job's files on this worker, `<dataDir>/jobs/<jobId>/` (run.log, screenshots, trace.zip): the
 * master keeps the record, so the worker's copy lives only until it is uploaded. Only the regular
 * files directly in the directory are uploaded: a subdirectory holds what must not leave (an
 * unscrubbed trace), and a symlink or a device is not the job's evidence.
 */
export class JobFiles {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly reporter: JobReporter,
    private readonly logger: Logger,
  ) {
    this.root = path.join(dataDir, 'jobs');
  }

  dirOf(jobId: string): string {
    return path.join(this.root, jobId);
  }

  /**
   * Uploads the job's files one by one (a failed one is logged and skipped: the upload does not
   * retry), then deletes the directory. Without an uploader the files are the only copy: kept.
   */
  async uploadAndRemove(jobId: string, attempt: number): Promise<void> {
    if (!this.reporter.uploadArtifact) return;
    const dir = this.dirOf(jobId);
    for (const name of await this.uploadable(dir)) {
      await this.reporter
        .uploadArtifact(jobId, name, path.join(dir, name), attempt)
        .catch((error: unknown) => this.logger.warn('artifact upload failed', { jobId, name, error: firstLineOf(error) }));
    }
    await rm(dir, { recursive: true, force: true }).catch((error: unknown) =>
      this.logger.warn('job directory not removed', { jobId, error: firstLineOf(error) }),
    );
  }

  private async uploadable(dir: string): Promise<string[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const files = await Promise.all(names.map(async (name) => ((await lstat(path.join(dir, name)).catch(() => undefined))?.isFile() ? name : undefined)));
    return files.filter((name): name is string => name !== undefined).sort();
  }

  /**
   * Removes the directories of jobs an earlier run of this worker left (it died before uploading,
   * or kept them forever, as workers before this one did), except those of `running` jobs.
   * Returns the job ids removed.
   */
  async removeLeftovers(running: ReadonlySet<string> = new Set()): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names.filter((n) => !running.has(n))) {
      try {
        await rm(path.join(this.root, name), { recursive: true, force: true });
        removed.push(name);
      } catch (error) {
        this.logger.warn('leftover job directory not removed', { jobId: name, error: firstLineOf(error) });
      }
    }
    return removed.sort();
  }
}
