import type { TokenView } from '@fleetwright/shared';
import type { Role, TokenIdentity } from '../backend/records.js';
import type { TokensBackend } from '../backend/tokens-backend.js';
import type { TokenStore } from './token-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** TokensBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteTokens implements TokensBackend {
  constructor(
    private readonly store: TokenStore,
    private readonly gate: ConnectionGate,
  ) {}

  verify(token: string | undefined): Promise<TokenIdentity | undefined> {
    return this.gate.run(() => this.store.verify(token));
  }

  list(): Promise<TokenView[]> {
    return this.gate.run(() => this.store.list());
  }

  revoke(id: string): Promise<void> {
    return this.gate.run(() => this.store.revoke(id));
  }

  onRevoked(listener: (tokenId: string) => void): void {
    this.store.onRevoked(listener);
  }

  create(name: string, role: Role): Promise<{ id: string; token: string }> {
    return this.gate.run(() => this.store.create(name, role));
  }
}
