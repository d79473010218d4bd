import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EventClient, RestClient } from '@fleetwright/client';
import { CliError, ExitCode } from './cli-error.js';
import { readSecretFile } from './io/secret-input.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** Options every API command takes; each one beats its environment variable. */
export interface ApiFlags {
  /** `--api-url`; else `FLEET_API_URL`; else {@link DEFAULT_API_URL}. */
  apiUrl?: string | undefined;
  /** `--token-file` (`-` for stdin); else `FLEET_API_TOKEN`; else the master's `<FLEET_DATA_DIR>/secrets.json` on this host. */
  tokenFile?: string | undefined;
}

/** Where the CLI talks to and with which token; the REST and `/client` clients made from them. */
export class ApiContext {
  private events: EventClient | undefined;
  readonly rest: RestClient;

  private constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {
    this.rest = new RestClient({ baseUrl: apiUrl, token, timeoutMs: 15_000 });
  }

  static async resolve(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): Promise<ApiContext> {
    const apiUrl = (flags.apiUrl ?? env.FLEET_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
    try {
      const url = new URL(apiUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new CliError(`${flags.apiUrl ? '--api-url' : 'FLEET_API_URL'} must be an http:// or https:// URL`, ExitCode.Config);
    }
    const token = flags.tokenFile ? await readSecretFile(flags.tokenFile, 'API token') : env.FLEET_API_TOKEN || localAdminToken(env);
    if (!token) {
      throw new CliError('no API token: set FLEET_API_TOKEN or pass --token-file (on the master host, its data/secrets.json is read)', ExitCode.NoPermission);
    }
    return new ApiContext(apiUrl, token);
  }

  /** The `/client` socket, connected on first use; `close()` ends it. */
  async live(): Promise<EventClient> {
    this.events ??= new EventClient(this.apiUrl, this.token);
    if (!this.events.socket.connected) await this.events.connect();
    return this.events;
  }

  close(): void {
    this.events?.close();
  }
}

/** The admin token the master generated in its data dir, when the CLI runs on the master's host. */
function localAdminToken(env: NodeJS.ProcessEnv): string | undefined {
  const file = path.resolve(env.FLEET_DATA_DIR || env.DATA_DIR || 'data', 'secrets.json');
  if (!existsSync(file)) return undefined;
  try {
    const token = (JSON.parse(readFileSync(file, 'utf8')) as { apiToken?: unknown }).apiToken;
    return typeof token === 'string' && token ? token : undefined;
  } catch {
    return undefined; // unreadable (another user's file): fall through to the clear error
  }
}
