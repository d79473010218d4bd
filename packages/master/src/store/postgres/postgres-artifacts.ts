import type { Readable } from 'node:stream';
import { FleetError } from '@fleetwright/shared';
import type { ArtifactsBackend } from '../backend/artifacts-backend.js';
import type { ArtifactRow } from '../backend/records.js';
import type { ArtifactFiles } from '../artifact-files.js';
import type { ClientScope } from './client-scope.js';
import { artifactsKey } from './postgres-jobs.js';

/** ArtifactsBackend on PostgreSQL: the files on the master's disk, their records in the database. */
export class PostgresArtifacts implements ArtifactsBackend {
  constructor(
    private readonly scope: ClientScope,
    private readonly files: ArtifactFiles,
  ) {}

  checkName(name: string): void {
    this.files.checkName(name);
  }

  /** The file is written first, then recorded (replacing the record of an earlier file of that name). */
  async saveStream(jobId: string, name: string, source: Readable, maxBytes: number): Promise<ArtifactRow> {
    const file = await this.files.write(jobId, name, source, maxBytes);
    // What a finishing transition brought along in this transaction no longer holds.
    this.scope.forget(artifactsKey(jobId));
    const row = await this.scope.row<ArtifactRow>(
      `INSERT INTO artifacts (job_id, name, size, content_type, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (job_id, name) DO UPDATE SET size = excluded.size, content_type = excluded.content_type, path = excluded.path, created_at = excluded.created_at
       RETURNING *`,
      [jobId, name, file.size, file.contentType, file.path, Date.now()],
    );
    return row!;
  }

  async require(jobId: string, name: string): Promise<ArtifactRow> {
    const row = await this.scope.row<ArtifactRow>('SELECT * FROM artifacts WHERE job_id = $1 AND name = $2', [jobId, name]);
    if (!row) throw new FleetError('NOT_FOUND', `job ${jobId} has no artifact ${name}`, { field: 'name' });
    return row;
  }
}
