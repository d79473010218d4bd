import type { Readable } from 'node:stream';
import type { ArtifactRow } from './records.js';

/** Job artifacts (run.log, screenshots, traces): files, and a record of each. */
export interface ArtifactsBackend {
  /** VALIDATION_FAILED (field `name`) unless `name` is a plain file name of a known type. */
  checkName(name: string): void;
  /**
   * Writes an artifact (replacing one of the same name) and records it: a reader sees the old file
   * or the new one, never half of one. Past `maxBytes` it fails with TOO_LARGE (field `body`); on any
   * failure nothing is recorded and no partial file stays.
   */
  saveStream(jobId: string, name: string, source: Readable, maxBytes: number): Promise<ArtifactRow>;
  /** The artifact's record, or NOT_FOUND (field `name`). */
  require(jobId: string, name: string): Promise<ArtifactRow>;
}
