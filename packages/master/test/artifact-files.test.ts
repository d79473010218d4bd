import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactFiles } from '../dist/store/artifact-files.js';

describe('artifact files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-artifact-files-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // The cap can be crossed before the temp file's open completes; the open then creates the file
  // after the failure was handled, unless the failure waits for the stream to close.
  it('leaves no temp file when the cap is crossed before the file is even open', async () => {
    const files = new ArtifactFiles(dir);
    const outcomes = new Set<string | undefined>();
    for (let i = 0; i < 50; i++)
      outcomes.add(
        await files.write(`job-${i}`, 'trace.zip', Readable.from([Buffer.alloc(4096)]), 1024).then(
          () => 'written',
          (error: { code?: string }) => error.code,
        ),
      );
    expect(outcomes).toEqual(new Set(['TOO_LARGE']));
    // Any open still pending when the failures were answered lands within this.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const left = Array.from({ length: 50 }, (_, i) => readdirSync(path.join(dir, `job-${i}`))).flat();
    expect(left).toEqual([]);
  });
});
