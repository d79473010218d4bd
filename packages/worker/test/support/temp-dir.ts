import { makeTempDir as makeTempDirBase } from '../../../../test/support/temp-dir.js';

/** A fresh directory under the OS temp dir; `remove()` deletes it with everything in it. */
export function makeTempDir(prefix = 'fleet-worker-test-'): { dir: string; remove(): void } {
  return makeTempDirBase(prefix);
}
