import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * On the master's own host a worker may share its data dir: the master writes the fleet token to
 * `<dataDir>/secrets.json` on first start, so `pm2 start` needs no token in the env. Waits for the
 * file because PM2 starts the master and the workers together.
 */
export async function readLocalWorkerToken(dataDir: string, timeoutMs: number): Promise<string | undefined> {
  const file = path.join(dataDir, 'secrets.json');
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(file)) {
      try {
        const token = (JSON.parse(readFileSync(file, 'utf8')) as { workerToken?: unknown }).workerToken;
        if (typeof token === 'string' && token.length > 0) return token;
      } catch {
        // being written; read again
      }
    }
    if (Date.now() >= until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
