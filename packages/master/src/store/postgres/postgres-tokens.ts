import { randomUUID } from 'node:crypto';
import { FleetError, generateToken, hashToken, type TokenView } from '@fleetwright/shared';
import { tokenView } from '../backend/record-views.js';
import { TokenHash } from '../backend/token-hash.js';
import type { Role, TokenIdentity, TokenRow } from '../backend/records.js';
import type { TokensBackend } from '../backend/tokens-backend.js';
import type { ClientScope } from './client-scope.js';

/** TokensBackend on PostgreSQL: tokens kept hashed; the configured admin token is accepted beside them. */
export class PostgresTokens implements TokensBackend {
  /** The admin token's hash, computed once: every request is checked against it. */
  private readonly adminToken: TokenHash | undefined;
  private readonly revokedListeners = new Set<(tokenId: string) => void>();

  constructor(
    private readonly scope: ClientScope,
    adminToken: string | undefined,
  ) {
    this.adminToken = adminToken ? new TokenHash(adminToken) : undefined;
  }

  async verify(token: string | undefined): Promise<TokenIdentity | undefined> {
    if (!token) return undefined;
    const hash = hashToken(token);
    if (this.adminToken?.matches(hash)) return { tokenId: 'env:FLEET_API_TOKEN', role: 'admin' };
    const row = await this.scope.row<{ id: string; role: Role }>('SELECT id, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [hash]);
    return row ? { tokenId: row.id, role: row.role } : undefined;
  }

  async list(): Promise<TokenView[]> {
    const rows = await this.scope.rows<TokenRow>('SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, id');
    return rows.map(tokenView);
  }

  async revoke(id: string): Promise<void> {
    const changed = await this.scope.changes('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [Date.now(), id]);
    if (changed === 0 && !(await this.scope.row('SELECT 1 FROM api_tokens WHERE id = $1', [id])))
      throw new FleetError('NOT_FOUND', `no token ${id}`, { field: 'id' });
    // Open sockets authenticated with the token are cut at once (the client gateway listens).
    for (const listener of this.revokedListeners) listener(id);
  }

  onRevoked(listener: (tokenId: string) => void): void {
    this.revokedListeners.add(listener);
  }

  async create(name: string, role: Role): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const token = generateToken('fwt');
    await this.scope.changes('INSERT INTO api_tokens (id, name, token_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)', [
      id,
      name,
      hashToken(token),
      role,
      Date.now(),
    ]);
    return { id, token };
  }
}
