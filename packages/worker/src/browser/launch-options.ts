import type { Browser, BrowserContextOptions, LaunchOptions } from 'playwright-core';
import { parseProxyUrl, type DeviceProfile } from '@fleetwright/shared';

/**
 * Flags for Chromium on a closed network: without the background-networking ones its
 * connections to Google's hosts hang or are refused at every start. The sandbox is not among
 * them: `chromiumSandbox` decides (see {@link chromiumSandboxEnabled}).
 */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
] as const;

/**
 * Chromium's own sandbox stays on unless it cannot work or the operator turned it off: Chromium
 * refuses to start sandboxed as root, and some containers lack the user namespaces it needs
 * (`FLEET_CHROMIUM_SANDBOX=false`).
 */
export function chromiumSandboxEnabled(input: { uid: number | undefined; configured: boolean | undefined }): boolean {
  if (input.uid === 0) return false;
  return input.configured ?? true;
}

export interface ProfileLaunchInput {
  chromiumPath: string;
  headless: boolean;
  /** Runs Chromium with its sandbox (without it Playwright adds `--no-sandbox`). @defaultValue false */
  sandbox?: boolean;
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
    chromiumSandbox: input.sandbox ?? false,
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

/** Options for `browser.newContext()`: the same device profile and proxy as a persistent profile, without the launch-only ones. */
export function accountContextOptions(input: Omit<ProfileLaunchInput, 'chromiumPath' | 'headless'>): NonNullable<Parameters<Browser['newContext']>[0]> {
  const {
    executablePath: _e,
    headless: _h,
    args: _a,
    handleSIGINT: _i,
    handleSIGTERM: _t,
    handleSIGHUP: _u,
    chromiumSandbox: _s,
    ...rest
  } = persistentContextOptions({ ...input, chromiumPath: '', headless: true });
  return rest;
}
