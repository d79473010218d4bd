import type { AccountStep, AccountView, CreateAccountBody, DeviceProfile, Page, StepStatus, StorageState, UpdateAccountBody } from '@fleetwright/shared';
import type { AccountChangeListener, AccountOwnership, AccountRow, AccountSecrets, PoolMembership, UnownedAccount } from './records.js';

/**
 * Accounts, their sealed secrets and their ownership. Secrets are sealed before they are stored and
 * opened only by `secretsOf`; views mask them. An owner change raises the account's epoch, the
 * fence that makes a former owner's reports refusable.
 */
export interface AccountsBackend {
  /** Creates an account (secrets sealed); VALIDATION_FAILED names a bad field. */
  create(body: CreateAccountBody): Promise<AccountView>;
  /** Edits an account; ACCOUNT_NOT_FOUND when it is gone. */
  update(id: string, body: UpdateAccountBody): Promise<AccountView>;
  /** Deletes an account; ACCOUNT_NOT_FOUND when it is gone. */
  delete(id: string): Promise<void>;
  /** Told of each account created, deleted, re-tagged or given a new owner through this backend. */
  onChange(listener: AccountChangeListener): void;
  row(id: string): Promise<AccountRow | undefined>;
  /** The account, or ACCOUNT_NOT_FOUND naming `field` (default `accountId`). */
  require(id: string, field?: string): Promise<AccountRow>;
  /** The account's ownership, or ACCOUNT_NOT_FOUND naming `field` (default `accountId`). */
  ownership(id: string, field?: string): Promise<AccountOwnership>;
  ownershipOf(id: string): Promise<AccountOwnership | undefined>;
  /** The account's view, secrets masked; ACCOUNT_NOT_FOUND when it is gone. */
  get(id: string): Promise<AccountView>;
  /** A page of account views in creation order. */
  list(limit: number, cursor?: string): Promise<Page<AccountView>>;
  /** Accounts without an owner, in creation order. */
  unowned(): Promise<UnownedAccount[]>;
  ownedBy(workerId: string): Promise<AccountOwnership[]>;
  idsOwnedBy(workerId: string): Promise<string[]>;
  ownerships(): Promise<AccountOwnership[]>;
  /** Owned accounts with their tags. */
  ownedWithTags(): Promise<(AccountOwnership & { tags: string[] })[]>;
  countOwned(): Promise<number>;
  countOwnedBy(workerId: string): Promise<number>;
  count(): Promise<number>;
  /** Every (pool, account) pair, in creation order within a pool. */
  poolMemberships(): Promise<PoolMembership[]>;
  poolMembershipsOf(id: string): Promise<PoolMembership[]>;
  /** Every tag in use. */
  poolTags(): Promise<string[]>;
  /** The platform of each of the accounts that exist among `ids`, in one read. */
  platformsOf(ids: readonly string[]): Promise<Map<string, string>>;
  /** The platforms of a pool's accounts. */
  platformsOfPool(pool: string): Promise<string[]>;
  isInPool(id: string, pool: string): Promise<boolean>;
  /**
   * Gives the account to `workerId`, a registered worker (null: nobody), and raises its epoch;
   * returns the new ownership.
   */
  assignOwner(id: string, workerId: string | null): Promise<AccountOwnership>;
  /**
   * Stores a storage state sealed, if `version` is newer than the stored one; returns whether it was
   * (a late snapshot never overwrites a newer one).
   */
  saveStorageState(id: string, version: number, state: StorageState): Promise<boolean>;
  setDeviceProfile(id: string, profile: DeviceProfile): Promise<AccountRow>;
  setStepStatus(id: string, step: AccountStep, status: StepStatus): Promise<void>;
  /** The account's secrets opened (a worker needs them to open its profile); throws if the key is wrong. */
  secretsOf(row: AccountRow): AccountSecrets;
  /** The account's view, secrets masked. */
  view(row: AccountRow): AccountView;
}
