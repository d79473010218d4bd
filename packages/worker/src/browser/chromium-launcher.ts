import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Features disabled in every browser, each measured to save memory without changing what pages
 * see (figures: docs/PERFORMANCE.md): the hidden omnibox WebUI popups cost a renderer per browser,
 * and the spare renderer Chromium keeps warm for the next navigation is one more per browser.
 */
export const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'SpareRendererForSitePerProcess'] as const;

/**
 * Features enabled in every browser: the network service runs as a thread of the browser process
 * instead of a process of its own. Site isolation between renderers is untouched.
 */
export const ENABLED_FEATURES = ['NetworkServiceInProcess2'] as const;

/**
 * Chromium keeps only the last `--disable-features` (and `--enable-features`) flag, and Playwright
 * passes its own lists (which are not exported). This launcher script merges every such flag it is
 * given, plus ours, into one of each, and `exec`s the real Chromium so the pid Playwright watches
 * is the browser's own.
 */
export function writeChromiumLauncher(dir: string, chromiumPath: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'chromium-launcher.sh');
  const quoted = `'${chromiumPath.replace(/'/g, `'\\''`)}'`;
  const script = `#!/bin/sh
# Written by Fleetwright's worker: merges every --disable-features and --enable-features flag into one of each (Chromium keeps the last).
disabled='${DISABLED_FEATURES.join(',')}'
enabled='${ENABLED_FEATURES.join(',')}'
for arg do
  shift
  case "$arg" in
    --disable-features=*) disabled="$disabled,\${arg#--disable-features=}" ;;
    --enable-features=*) enabled="$enabled,\${arg#--enable-features=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec ${quoted} "$@" "--disable-features=$disabled" "--enable-features=$enabled"
`;
  writeFileSync(file, script, { mode: 0o755 });
  chmodSync(file, 0o755);
  return file;
}
