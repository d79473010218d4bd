import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Features disabled in every browser: the hidden omnibox WebUI popups cost a renderer per
 * browser (figures: docs/PERFORMANCE.md).
 */
export const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'] as const;

/**
 * Chromium keeps only the last `--disable-features` flag, and Playwright passes its own list
 * (which is not exported). This launcher script merges every `--disable-features` flag it is
 * given, plus ours, into one, and `exec`s the real Chromium so the pid Playwright watches is the
 * browser's own.
 */
export function writeChromiumLauncher(dir: string, chromiumPath: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'chromium-launcher.sh');
  const quoted = `'${chromiumPath.replace(/'/g, `'\\''`)}'`;
  const script = `#!/bin/sh
# Written by Fleetwright's worker: merges every --disable-features flag into one (Chromium keeps the last).
features='${DISABLED_FEATURES.join(',')}'
for arg do
  shift
  case "$arg" in
    --disable-features=*) features="$features,\${arg#--disable-features=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec ${quoted} "$@" "--disable-features=$features"
`;
  writeFileSync(file, script, { mode: 0o755 });
  chmodSync(file, 0o755);
  return file;
}
