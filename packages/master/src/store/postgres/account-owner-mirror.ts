import pg from 'pg';

/** The channel the accounts trigger (migration 2) notifies with an account's id. */
export const ACCOUNT_OWNERS_CHANNEL = 'fleet_account_owners';

/** An account's owner and epoch, as AccountBrowsers' ownership lookup wants them. */
export interface MirroredOwner {
  owner_worker_id: string | null;
  epoch: number;
}

/** How long to wait before listening again after the listening connection is lost. */
const RECONNECT_MS = 1_000;

/**
 * Every account's owner and epoch, in memory, for the lookups that must answer synchronously
 * (AccountBrowsers checks each heartbeat's entries against it). Loaded whole when it starts
 * listening; then PostgreSQL tells it of each committed change (a trigger's NOTIFY), whichever
 * master made it, and it re-reads those accounts. Changes are applied one batch at a time, in
 * order, so a slow read never overwrites a newer one. After a lost connection it listens again and
 * reloads everything, since notifications sent meanwhile are gone.
 */
export class AccountOwnerMirror {
  private readonly owners = new Map<string, MirroredOwner>();
  private readonly changed = new Set<string>();
  private reloadAll = true;
  private draining: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Listens, loads every account, and returns once the mirror is current. */
  static async start(pool: pg.Pool, clientConfig: pg.ClientConfig, onError: (error: Error) => void): Promise<AccountOwnerMirror> {
    const mirror = new AccountOwnerMirror(pool, clientConfig, onError);
    await mirror.listen();
    await mirror.drain();
    return mirror;
  }

  /** The account's owner and epoch as last committed, or undefined when there is no such account. */
  get(accountId: string): MirroredOwner | undefined {
    return this.owners.get(accountId);
  }

  /** Idempotent: stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.draining;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(this.clientConfig);
    client.on('notification', (message) => {
      if (message.payload) this.changed.add(message.payload);
      void this.drain();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection that listens for account owner changes ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${ACCOUNT_OWNERS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
    this.reloadAll = true;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = undefined;
    this.onError(error);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnect = setTimeout(() => {
      this.listen()
        .then(() => this.drain())
        .catch((error: Error) => {
          this.onError(error);
          this.scheduleReconnect();
        });
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  /** Applies what changed, one batch at a time (a caller during a batch gets the next one). */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      try {
        while (!this.closed && (this.reloadAll || this.changed.size > 0)) await this.applyBatch();
      } catch (error) {
        // The next notification or reconnect tries again; what failed is read again then.
        this.reloadAll = true;
        this.onError(error as Error);
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  private async applyBatch(): Promise<void> {
    if (this.reloadAll) {
      this.reloadAll = false;
      this.changed.clear();
      const { rows } = await this.pool.query<MirroredOwner & { id: string }>('SELECT id, owner_worker_id, epoch FROM accounts');
      this.owners.clear();
      for (const { id, owner_worker_id, epoch } of rows) this.owners.set(id, { owner_worker_id, epoch });
      return;
    }
    const ids = [...this.changed];
    this.changed.clear();
    const { rows } = await this.pool.query<MirroredOwner & { id: string }>('SELECT id, owner_worker_id, epoch FROM accounts WHERE id = ANY($1::text[])', [ids]);
    const found = new Map(rows.map(({ id, owner_worker_id, epoch }) => [id, { owner_worker_id, epoch }]));
    for (const id of ids) {
      const owner = found.get(id);
      if (owner) this.owners.set(id, owner);
      else this.owners.delete(id);
    }
  }
}
