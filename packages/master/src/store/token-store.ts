import { randomUUID } from 'node:crypto';
import { generateToken, hashToken, tokensEqual } from '@fleetwright/shared';
import type { Db } from './database.js';

export type Role = 'admin' | 'operator' | 'viewer';
export interface TokenIdentity {
  tokenId: string;
  role: Role;
}

/** API tokens: stored hashed; the configured admin token (`FLEET_API_TOKEN`) is accepted beside them. */
export class TokenStore {
  constructor(
    private readonly db: Db,
    private readonly adminToken: string | undefined,
  ) {}

  verify(token: string | undefined): TokenIdentity | undefined {
    if (!token) return undefined;
    if (this.adminToken && tokensEqual(token, this.adminToken)) return { tokenId: 'env:FLEET_API_TOKEN', role: 'admin' };
    const row = this.db.prepare('SELECT id, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(hashToken(token)) as { id: string; role: Role } | undefined;
    return row ? { tokenId: row.id, role: row.role } : undefined;
  }

  /** Returns the token once; only its hash is kept. */
  create(name: string, role: Role): { id: string; token: string } {
    const id = randomUUID();
    const token = generateToken('fwt');
    this.db.prepare('INSERT INTO api_tokens (id, name, token_hash, role, created_at) VALUES (?, ?, ?, ?, ?)').run(id, name, hashToken(token), role, Date.now());
    return { id, token };
  }
}
