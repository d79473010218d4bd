import { MasterProcess } from './master-process.js';

/** What a master's /health says of the masters: which one it is, which leads, and whether it does. */
export interface MastersSeen {
  self: string;
  leader: string | null;
  leading: boolean;
}

export async function mastersSeenBy(proc: { url: string }): Promise<MastersSeen> {
  return (await (await fetch(`${proc.url}/health`)).json()).masters;
}

/** The master processes a test starts on one database; `closeAll()` after each test. */
export class MasterProcesses {
  private readonly started: MasterProcess[] = [];

  /**
   * A master on `databaseUrl` named `id`; `env` adds to its environment, `secretsOf` gives it another
   * master's tokens and key (the same fleet). Closed by `closeAll()` even if its start fails.
   */
  async start(databaseUrl: string, id: string, options: { env?: Record<string, string>; secretsOf?: MasterProcess } = {}): Promise<MasterProcess> {
    const proc = await MasterProcess.create({
      env: { FLEET_DATABASE_URL: databaseUrl, FLEET_MASTER_ID: id, ...options.env },
      ...(options.secretsOf ? { secretsOf: options.secretsOf } : {}),
    });
    this.started.push(proc);
    await proc.start();
    return proc;
  }

  async closeAll(): Promise<void> {
    for (const proc of this.started.splice(0)) await proc.close();
  }
}
