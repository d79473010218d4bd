import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FleetError } from '../errors/fleet-error.js';
import type { Env } from '../config/env-reader.js';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Newest Chromium under Playwright's browser cache (chromium-REV, then chrome-linux or chrome-linux64). */
export function findPlaywrightChromium(cacheDir: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(cacheDir);
  } catch {
    return undefined;
  }
  const revisions = entries.filter((e) => /^chromium-\d+$/.test(e)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  for (const dir of revisions) {
    for (const sub of ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium', 'chrome-win/chrome.exe']) {
      const candidate = path.join(cacheDir, dir, sub);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function findOnPath(names: string[], pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Finds the Chromium to launch: `FLEET_CHROMIUM_PATH`, then Playwright's cache
 * (`PLAYWRIGHT_BROWSERS_PATH` or `~/.cache/ms-playwright`), then `chromium` on PATH.
 */
export function findChromium(env: Env = process.env): string {
  const configured = env.FLEET_CHROMIUM_PATH;
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new FleetError('CONFIG_INVALID', `FLEET_CHROMIUM_PATH is not an executable file (got ${JSON.stringify(configured)})`, {
      field: 'FLEET_CHROMIUM_PATH',
    });
  }
  const cacheDir = env.PLAYWRIGHT_BROWSERS_PATH || path.join(env.HOME ?? os.homedir(), '.cache', 'ms-playwright');
  const fromCache = findPlaywrightChromium(cacheDir);
  if (fromCache) return fromCache;
  const fromPath = findOnPath(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'], env.PATH);
  if (fromPath) return fromPath;
  throw new FleetError('CHROMIUM_NOT_FOUND', 'no Chromium found: set FLEET_CHROMIUM_PATH, or install chromium (apt-get install chromium)');
}
