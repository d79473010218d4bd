import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FleetError } from '@fleetwright/shared';

/** Artifact names are plain file names: no separators, no dot-dot, nothing hidden. */
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.zip': 'application/zip',
  '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.mjpeg': 'video/x-motion-jpeg',
};

/**
 * Artifacts that can hold an account's session: a Playwright trace records typed values, network
 * data and DOM snapshots (cookies among them), a screenshot or a video shows whatever the page showed. Only
 * operator and admin tokens may read them; run.log (redacted) and JSON results stay readable by viewers.
 */
export function holdsSessionData(name: string): boolean {
  return ['.zip', '.png', '.mjpeg'].includes(path.extname(name));
}

/** Directories 0700 and files 0600: artifacts can hold session data, so only the master's user reads them. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** A written artifact file, for its record. */
export interface WrittenArtifact {
  path: string;
  size: number;
  contentType: string;
}

/**
 * Job artifacts (run.log, screenshots, traces) on the master's disk under `<dir>/<jobId>/<name>`:
 * the file half of every engine's artifacts, whose records each adapter keeps in its own database.
 */
export class ArtifactFiles {
  constructor(private readonly dir: string) {}

  checkName(name: string): void {
    if (!ARTIFACT_NAME.test(name) || name.includes('..'))
      throw new FleetError('VALIDATION_FAILED', `name: ${JSON.stringify(name)} is not a plain file name`, { field: 'name' });
    if (!CONTENT_TYPES[path.extname(name)])
      throw new FleetError('VALIDATION_FAILED', `name: artifacts are ${Object.keys(CONTENT_TYPES).join(', ')} files`, { field: 'name' });
  }

  /**
   * Streams `source` to a temp file beside the artifact, then renames it over the artifact: a
   * reader sees the old file or the new one, never half of one. Past `maxBytes` it fails with
   * TOO_LARGE (field `body`); on any failure the temp file is removed.
   */
  async write(jobId: string, name: string, source: Readable, maxBytes: number): Promise<WrittenArtifact> {
    this.checkName(name);
    const dir = this.jobDir(jobId);
    const file = path.join(dir, name);
    // Unique per upload, so two uploads of one name never write the same temp file.
    const part = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) callback(new FleetError('TOO_LARGE', `body: an artifact may be at most ${maxBytes} bytes`, { field: 'body' }));
        else callback(null, chunk);
      },
    });
    // `source` is piped rather than put in the pipeline: a failed pipeline destroys its streams,
    // and destroying a request destroys its socket, which would leave no way to answer 413.
    const out = createWriteStream(part, { mode: FILE_MODE, flags: 'wx' });
    const written = pipeline(limit, out);
    const ended = (): void => {
      if (!source.readableEnded) limit.destroy(new FleetError('VALIDATION_FAILED', 'body: the upload ended before its end', { field: 'body' }));
    };
    const failed = (error: Error): void => void limit.destroy(error);
    source.once('close', ended).once('error', failed).pipe(limit);
    try {
      await written;
      renameSync(part, file);
    } catch (error) {
      // A stream stopped before its file was open still creates the file once the open completes.
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      rmSync(part, { force: true });
      throw error;
    } finally {
      source.off('close', ended).off('error', failed).unpipe(limit);
    }
    return { path: file, size, contentType: CONTENT_TYPES[path.extname(name)]! };
  }

  /** `<dir>/<jobId>`, created 0700 under a 0700 root (an existing root made by an older master is tightened). */
  private jobDir(jobId: string): string {
    mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    chmodSync(this.dir, DIR_MODE);
    const dir = path.join(this.dir, jobId);
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }
}
