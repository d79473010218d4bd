import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FleetError, registerSecret, type Logger } from '@fleetwright/shared';

const CREDENTIAL_FILE = 'credential.json';

export interface WorkerCredentialOptions {
  masterUrl: string;
  /** Every master it may enroll with, tried in turn while one is out of reach. @defaultValue [`masterUrl`] */
  masterUrls?: string[];
  workerId: string;
  /** The worker's own data dir (`<FLEET_DATA_DIR>/workers/<id>`): the credential is kept there. */
  dataDir: string;
  /** The fleet token, which enrolls this id when it has no credential yet; asked for only then. */
  fleetToken: () => Promise<string | undefined>;
  logger: Logger;
  /** How long to keep trying while the master can't be reached. @defaultValue forever, like the socket */
  reachTimeoutMs?: number;
}

interface CredentialFile {
  workerId: string;
  credential: string;
}

/**
 * This worker's own credential: read from its data dir, or enrolled once with the fleet token and
 * kept there (mode 0600). Only the credential speaks for the id once the master has seen it, so a
 * holder of the fleet token can't take the id over.
 */
export class WorkerCredential {
  private readonly file: string;

  constructor(private readonly options: WorkerCredentialOptions) {
    this.file = path.join(options.dataDir, CREDENTIAL_FILE);
  }

  /** The kept credential, or a new one from the master. */
  async obtain(): Promise<string> {
    const kept = this.read();
    if (kept) return kept;
    return this.enroll();
  }

  /**
   * The master refused the kept credential (an admin revoked it): forget it and enroll again with
   * the fleet token, if this worker has one. Undefined when it can't.
   */
  async renew(): Promise<string | undefined> {
    rmSync(this.file, { force: true });
    try {
      return await this.enroll();
    } catch (error) {
      this.options.logger.error('could not enroll again after the master refused the credential', { workerId: this.options.workerId, error });
      return undefined;
    }
  }

  private read(): string | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      const kept = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<CredentialFile>;
      if (kept.workerId === this.options.workerId && typeof kept.credential === 'string' && kept.credential.length > 0) {
        registerSecret(kept.credential);
        return kept.credential;
      }
    } catch {
      // unreadable: enroll again below (the master refuses it if the id's credential is in use)
    }
    return undefined;
  }

  private async enroll(): Promise<string> {
    const { workerId, logger } = this.options;
    const urls = this.options.masterUrls && this.options.masterUrls.length > 0 ? this.options.masterUrls : [this.options.masterUrl];
    let attempt = 0;
    const fleetToken = await this.options.fleetToken();
    if (!fleetToken) {
      throw new FleetError('CONFIG_INVALID', `FLEET_WORKER_TOKEN is required to enroll worker ${workerId} (no ${this.file} yet)`, {
        field: 'FLEET_WORKER_TOKEN',
      });
    }
    const until = Date.now() + (this.options.reachTimeoutMs ?? Number.POSITIVE_INFINITY);
    let delay = 500;
    for (;;) {
      let res: Response | undefined;
      const masterUrl = urls[attempt++ % urls.length]!;
      try {
        res = await fetch(`${masterUrl}/api/v1/worker/enroll`, {
          method: 'POST',
          headers: { authorization: `Bearer ${fleetToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ workerId }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        if (Date.now() + delay > until)
          throw new FleetError('WORKER_LOST', `could not reach the master at ${masterUrl} to enroll: ${(error as Error).message}`);
        logger.warn('master not reachable for enrollment yet; retrying', { url: masterUrl });
      }
      if (res) {
        const body = (await res.json().catch(() => ({}))) as { credential?: unknown; code?: string; message?: string };
        if (res.status === 201 && typeof body.credential === 'string') {
          this.keep(body.credential);
          logger.info('enrolled with the master; credential kept', { workerId, file: this.file });
          return body.credential;
        }
        // 409: the id is enrolled and in use elsewhere; 401: wrong fleet token. Retrying won't help.
        if (res.status < 500)
          throw new FleetError(res.status === 409 ? 'CONFLICT' : 'UNAUTHORIZED', body.message ?? `enrollment answered ${res.status}`, {
            field: 'FLEET_WORKER_ID',
          });
        if (Date.now() + delay > until) throw new FleetError('WORKER_LOST', `enrollment answered ${res.status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  private keep(credential: string): void {
    registerSecret(credential);
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    const part = `${this.file}.part`;
    writeFileSync(part, `${JSON.stringify({ workerId: this.options.workerId, credential } satisfies CredentialFile)}\n`, { mode: 0o600 });
    chmodSync(part, 0o600);
    renameSync(part, this.file);
  }
}
