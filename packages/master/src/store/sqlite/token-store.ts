import { randomUUID } from 'node:crypto';
import { FleetError, generateToken, hashToken, type TokenView } from '@fleetwright/shared';
import type { Db } from './database.js';
import { tokenView } from '../backend/record-views.js';
import { TokenHash } from '../backend/token-hash.js';
import type { Role, TokenIdentity, TokenRow } from '../backend/records.js';

/** API tokens: stored hashed; the configured admin token (`FLEET_API_TOKEN`) is accepted beside them. */
export class TokenStore {
  /** The admin token's hash, computed once: every request is checked against it. */
  private readonly adminToken: TokenHash | undefined;
  private readonly revokedListeners = new Set<(tokenId: string) => void>();

  constructor(
    private readonly db: Db,
    adminToken: string | undefined,
  ) {
    this.adminToken = adminToken ? new TokenHash(adminToken) : undefined;
  }

  /** One hash of the presented token per request, compared in constant time with the admin token's. */
  verify(token: string | undefined): TokenIdentity | undefined {
    if (!token) return undefined;
    const hash = hashToken(token);
    if (this.adminToken?.matches(hash)) return { tokenId: 'env:FLEET_API_TOKEN', role: 'admin' };
    const row = this.db.prepare('SELECT id, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(hash) as
      | { id: string; role: Role }
      | undefined;
    return row ? { tokenId: row.id, role: row.role } : undefined;
  }

  list(): TokenView[] {
    const rows = this.db.prepare('SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at').all() as TokenRow[];
    return rows.map(tokenView);
  }

  revoke(id: string): void {
    const res = this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id);
    if (res.changes === 0 && !this.db.prepare('SELECT 1 FROM api_tokens WHERE id = ?').get(id))
      throw new FleetError('NOT_FOUND', `no token ${id}`, { field: 'id' });
    // Open sockets authenticated with the token are cut at once (the client gateway listens).
    for (const listener of this.revokedListeners) listener(id);
  }

  /** Calls `listener` with the id of every token revoked from now on. */
  onRevoked(listener: (tokenId: string) => void): void {
    this.revokedListeners.add(listener);
  }

  /** Returns the token once; only its hash is kept. */
  create(name: string, role: Role): { id: string; token: string } {
    const id = randomUUID();
    const token = generateToken('fwt');
    this.db.prepare('INSERT INTO api_tokens (id, name, token_hash, role, created_at) VALUES (?, ?, ?, ?, ?)').run(id, name, hashToken(token), role, Date.now());
    return { id, token };
  }
}
