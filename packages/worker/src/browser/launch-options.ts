import type { BrowserContextOptions, LaunchOptions } from 'playwright-core';
import { parseProxyUrl, type DeviceProfile } from '@fleetwright/shared';

/**
 * Flags for Chromium on a closed network: without the background-networking ones its
 * connections to Google's hosts hang or are refused at every start.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
] as const;

export interface ProfileLaunchInput {
  chromiumPath: string;
  headless: boolean;
  proxy: string | null;
  deviceProfile: DeviceProfile | null;
}

/** Options for `launchPersistentContext`: launch flags plus the account's device profile and proxy. */
export function persistentContextOptions(input: ProfileLaunchInput): LaunchOptions & BrowserContextOptions {
  const options: LaunchOptions & BrowserContextOptions = {
    executablePath: input.chromiumPath,
    headless: input.headless,
    // The worker owns shutdown: on SIGTERM/SIGINT it drains jobs, snapshots and then closes the
    // browsers. Playwright's own handlers would kill them first (and exit on SIGINT).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [...CHROMIUM_ARGS],
  };
  if (input.proxy) {
    const parsed = parseProxyUrl(input.proxy);
    if (typeof parsed !== 'string') options.proxy = parsed;
  }
  const device = input.deviceProfile;
  if (device) {
    options.userAgent = device.userAgent;
    options.viewport = device.viewport;
    options.locale = device.locale;
    options.timezoneId = device.timezoneId;
    options.deviceScaleFactor = device.deviceScaleFactor;
    options.colorScheme = device.colorScheme;
  }
  return options;
}
