import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FleetError } from '@fleetwright/shared';
import type { Db } from './database.js';

/** Artifact names are plain file names: no separators, no dot-dot, nothing hidden. */
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.zip': 'application/zip',
  '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ArtifactRow {
  job_id: string;
  name: string;
  size: number;
  content_type: string;
  path: string;
  created_at: number;
}

/** Job artifacts (run.log, screenshots, traces) on disk under `<dataDir>/artifacts/<jobId>/`. */
export class ArtifactStore {
  constructor(
    private readonly db: Db,
    private readonly dir: string,
  ) {}

  checkName(name: string): void {
    if (!ARTIFACT_NAME.test(name) || name.includes('..')) throw new FleetError('VALIDATION_FAILED', `name: ${JSON.stringify(name)} is not a plain file name`, { field: 'name' });
    if (!CONTENT_TYPES[path.extname(name)]) throw new FleetError('VALIDATION_FAILED', `name: artifacts are ${Object.keys(CONTENT_TYPES).join(', ')} files`, { field: 'name' });
  }

  /** Writes the file (replacing one of the same name) and records it; the write is atomic. */
  save(jobId: string, name: string, body: Buffer): ArtifactRow {
    this.checkName(name);
    const dir = path.join(this.dir, jobId);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(`${file}.part`, body);
    renameSync(`${file}.part`, file);
    this.db
      .prepare('INSERT OR REPLACE INTO artifacts (job_id, name, size, content_type, path, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(jobId, name, body.length, CONTENT_TYPES[path.extname(name)]!, file, Date.now());
    return this.require(jobId, name);
  }

  require(jobId: string, name: string): ArtifactRow {
    const row = this.db.prepare('SELECT * FROM artifacts WHERE job_id = ? AND name = ?').get(jobId, name) as ArtifactRow | undefined;
    if (!row) throw new FleetError('NOT_FOUND', `job ${jobId} has no artifact ${name}`, { field: 'name' });
    return row;
  }
}
