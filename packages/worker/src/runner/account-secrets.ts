import { parseProxyUrl, type Credentials, type StorageState } from '@fleetwright/shared';

/** The values of a storage state that open a session: every cookie value and localStorage value. */
export function storageStateSecrets(state: StorageState | null | undefined): string[] {
  if (!state) return [];
  const cookies = state.cookies.map((cookie) => cookie.value).filter((value): value is string => typeof value === 'string');
  return [...cookies, ...state.origins.flatMap((origin) => origin.localStorage.map((item) => item.value))];
}

/**
 * The secret values of an account as the master assigned it: every credential field but the
 * username (shown at the master anyway), the proxy's password, and the stored session state.
 */
export function accountSecrets(account: { credentials: Credentials | null; proxy: string | null; storageState: StorageState | null }): string[] {
  const credentials = Object.entries(account.credentials ?? {})
    .filter(([field]) => field !== 'username')
    .map(([, value]) => value);
  const proxy = account.proxy ? parseProxyUrl(account.proxy) : undefined;
  const proxyPassword = proxy && typeof proxy !== 'string' ? [proxy.password] : [];
  return [...credentials, ...proxyPassword, ...storageStateSecrets(account.storageState)].filter((value): value is string => typeof value === 'string');
}
