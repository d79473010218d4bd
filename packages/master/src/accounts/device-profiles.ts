import { createHash } from 'node:crypto';
import type { DeviceProfile } from '@fleetwright/shared';

const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 1440, height: 900 },
  { width: 1536, height: 864 },
  { width: 1920, height: 1080 },
  { width: 1280, height: 800 },
] as const;

/**
 * A stable device profile for an account, made once at its first assignment: the user agent names
 * the Chromium major version the fleet really runs (so headers and JS agree), the viewport is
 * picked by the account id, locale and time zone are the master's defaults. Consistency, not
 * evasion: every worker presents the account the same way.
 */
export function generateDeviceProfile(accountId: string, browserVersion: string | null, defaults: { locale: string; timezoneId: string }): DeviceProfile {
  const major = browserVersion?.split('.')[0] ?? '156';
  const pick = createHash('sha256').update(accountId).digest()[0]! % VIEWPORTS.length;
  return {
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    viewport: { ...VIEWPORTS[pick]! },
    locale: defaults.locale,
    timezoneId: defaults.timezoneId,
    deviceScaleFactor: 1,
    colorScheme: 'light',
  };
}
