import type { TokenView } from '@fleetwright/shared';
import type { Role, TokenIdentity } from './records.js';

/** API tokens, kept as hashes; the configured admin token is accepted beside them. */
export interface TokensBackend {
  /** Who `token` is, or undefined when it is unknown or revoked. */
  verify(token: string | undefined): Promise<TokenIdentity | undefined>;
  list(): Promise<TokenView[]>;
  /** Revokes a token (its holders are told through `onRevoked`); NOT_FOUND when unknown. */
  revoke(id: string): Promise<void>;
  onRevoked(listener: (tokenId: string) => void): void;
  /** A new token: its secret is returned here once, and only its hash is kept. */
  create(name: string, role: Role): Promise<{ id: string; token: string }>;
}
