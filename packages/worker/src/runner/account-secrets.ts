import { parseProxyUrl, type Credentials, type StorageState } from '@fleetwright/shared';

/**
 * Whether a cookie or localStorage value looks like a token: long, or letters with digits. A
 * consent cookie's `necessary` or a `dark-mode` setting is a word that a crawl's results must keep
 * (every match is replaced wherever it appears); a session id is not.
 */
function isTokenLike(value: string): boolean {
  if (value.length >= 16) return !/\s/.test(value);
  return value.length >= 8 && /\d/.test(value) && /[A-Za-z]/.test(value);
}

/** The cookie or localStorage values among `values` that may open a session (token-like ones). */
export function sessionSecrets(values: unknown[]): string[] {
  return values.filter((value): value is string => typeof value === 'string' && isTokenLike(value));
}

/** The values of a storage state that may open a session: its token-like cookie and localStorage values. */
export function storageStateSecrets(state: StorageState | null | undefined): string[] {
  if (!state) return [];
  return sessionSecrets([...state.cookies.map((cookie) => cookie.value), ...state.origins.flatMap((origin) => origin.localStorage.map((item) => item.value))]);
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
