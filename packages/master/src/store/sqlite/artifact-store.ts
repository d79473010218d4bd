import type { Readable } from 'node:stream';
import { FleetError } from '@fleetwright/shared';
import type { Db } from './database.js';
import { ArtifactFiles } from '../artifact-files.js';
import type { ArtifactRow } from '../backend/records.js';

/** Job artifacts: their files (see ArtifactFiles) and their records in the `artifacts` table. */
export class ArtifactStore {
  private readonly files: ArtifactFiles;

  constructor(
    private readonly db: Db,
    dir: string,
  ) {
    this.files = new ArtifactFiles(dir);
  }

  checkName(name: string): void {
    this.files.checkName(name);
  }

  /**
   * Writes an artifact's file (see ArtifactFiles.write), then records it, replacing the record of
   * an earlier file of that name; a failed write records nothing. `recordWith` runs the record's
   * write (a backend runs it when its connection is free).
   */
  async saveStream(
    jobId: string,
    name: string,
    source: Readable,
    maxBytes: number,
    recordWith: (record: () => ArtifactRow) => ArtifactRow | Promise<ArtifactRow> = (record) => record(),
  ): Promise<ArtifactRow> {
    const file = await this.files.write(jobId, name, source, maxBytes);
    return recordWith(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO artifacts (job_id, name, size, content_type, path, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(jobId, name, file.size, file.contentType, file.path, Date.now());
      return this.require(jobId, name);
    });
  }

  require(jobId: string, name: string): ArtifactRow {
    const row = this.db.prepare('SELECT * FROM artifacts WHERE job_id = ? AND name = ?').get(jobId, name) as ArtifactRow | undefined;
    if (!row) throw new FleetError('NOT_FOUND', `job ${jobId} has no artifact ${name}`, { field: 'name' });
    return row;
  }
}
