import type { AccountStep, AccountView, CreateAccountBody, DeviceProfile, Page, StepStatus, StorageState, UpdateAccountBody } from '@fleetwright/shared';
import type { AccountChangeListener, AccountOwnership, AccountRow, AccountSecrets, PoolMembership, UnownedAccount } from '../backend/records.js';
import type { AccountsBackend } from '../backend/accounts-backend.js';
import type { AccountStore } from './account-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** AccountsBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteAccounts implements AccountsBackend {
  constructor(
    private readonly store: AccountStore,
    private readonly gate: ConnectionGate,
  ) {}

  create(body: CreateAccountBody): Promise<AccountView> {
    return this.gate.run(() => this.store.create(body));
  }

  update(id: string, body: UpdateAccountBody): Promise<AccountView> {
    return this.gate.run(() => this.store.update(id, body));
  }

  delete(id: string): Promise<void> {
    return this.gate.run(() => this.store.delete(id));
  }

  onChange(listener: AccountChangeListener): void {
    this.store.onChange(listener);
  }

  row(id: string): Promise<AccountRow | undefined> {
    return this.gate.run(() => this.store.row(id));
  }

  require(id: string, field?: string): Promise<AccountRow> {
    return this.gate.run(() => this.store.require(id, field));
  }

  ownership(id: string, field?: string): Promise<AccountOwnership> {
    return this.gate.run(() => this.store.ownership(id, field));
  }

  ownershipOf(id: string): Promise<AccountOwnership | undefined> {
    return this.gate.run(() => this.store.ownershipOf(id));
  }

  get(id: string): Promise<AccountView> {
    return this.gate.run(() => this.store.get(id));
  }

  list(limit: number, cursor?: string): Promise<Page<AccountView>> {
    return this.gate.run(() => this.store.list(limit, cursor));
  }

  unowned(): Promise<UnownedAccount[]> {
    return this.gate.run(() => this.store.unowned());
  }

  ownedBy(workerId: string): Promise<AccountOwnership[]> {
    return this.gate.run(() => this.store.ownedBy(workerId));
  }

  idsOwnedBy(workerId: string): Promise<string[]> {
    return this.gate.run(() => this.store.idsOwnedBy(workerId));
  }

  ownerships(): Promise<AccountOwnership[]> {
    return this.gate.run(() => this.store.ownerships());
  }

  ownedWithTags(): Promise<(AccountOwnership & { tags: string[] })[]> {
    return this.gate.run(() => this.store.ownedWithTags());
  }

  countOwned(): Promise<number> {
    return this.gate.run(() => this.store.countOwned());
  }

  countOwnedBy(workerId: string): Promise<number> {
    return this.gate.run(() => this.store.countOwnedBy(workerId));
  }

  count(): Promise<number> {
    return this.gate.run(() => this.store.count());
  }

  poolMemberships(): Promise<PoolMembership[]> {
    return this.gate.run(() => this.store.poolMemberships());
  }

  poolMembershipsOf(id: string): Promise<PoolMembership[]> {
    return this.gate.run(() => this.store.poolMembershipsOf(id));
  }

  poolTags(): Promise<string[]> {
    return this.gate.run(() => this.store.poolTags());
  }

  platformsOf(ids: readonly string[]): Promise<Map<string, string>> {
    return this.gate.run(() => this.store.platformsOf(ids));
  }

  platformsOfPool(pool: string): Promise<string[]> {
    return this.gate.run(() => this.store.platformsOfPool(pool));
  }

  isInPool(id: string, pool: string): Promise<boolean> {
    return this.gate.run(() => this.store.isInPool(id, pool));
  }

  assignOwner(id: string, workerId: string | null): Promise<AccountOwnership> {
    return this.gate.run(() => this.store.assignOwner(id, workerId));
  }

  saveStorageState(id: string, version: number, state: StorageState): Promise<boolean> {
    return this.gate.run(() => this.store.saveStorageState(id, version, state));
  }

  setDeviceProfile(id: string, profile: DeviceProfile): Promise<AccountRow> {
    return this.gate.run(() => this.store.setDeviceProfile(id, profile));
  }

  setStepStatus(id: string, step: AccountStep, status: StepStatus): Promise<void> {
    return this.gate.run(() => this.store.setStepStatus(id, step, status));
  }

  secretsOf(row: AccountRow): AccountSecrets {
    return this.store.secretsOf(row);
  }

  view(row: AccountRow): AccountView {
    return this.store.view(row);
  }
}
