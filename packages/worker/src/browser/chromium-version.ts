import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `156.0.8078.79` from `chromium --version`; undefined when it cannot be read. */
export async function chromiumVersion(chromiumPath: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(chromiumPath, ['--version'], { timeout: 10_000 });
    return /(\d+\.\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}
