import { fleetErrorOf } from './support/fleet-error-of.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, findPlaywrightChromium } from '@fleetwright/shared';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-chromium-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Writes a small shell script at `root/relative` and returns its path. */
function fakeBrowser(relative: string, mode = 0o755): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\necho fake chromium\n');
  fs.chmodSync(file, mode);
  return file;
}

function emptyDir(relative: string): string {
  const dir = path.join(root, relative);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** An environment where nothing outside `root` can be found. */
function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: emptyDir('home'), PLAYWRIGHT_BROWSERS_PATH: emptyDir('cache'), PATH: emptyDir('bin'), ...extra };
}

describe('findChromium', () => {
  it('returns FLEET_CHROMIUM_PATH when it is executable, before any other place', () => {
    const configured = fakeBrowser('opt/my-chrome');
    fakeBrowser('cache/chromium-1200/chrome-linux64/chrome');
    expect(findChromium(isolatedEnv({ FLEET_CHROMIUM_PATH: configured }))).toBe(configured);
  });

  it('refuses a FLEET_CHROMIUM_PATH that is not executable with CONFIG_INVALID naming it', () => {
    const notExecutable = fakeBrowser('opt/chrome.txt', 0o644);
    fakeBrowser('cache/chromium-1200/chrome-linux64/chrome');
    const error = fleetErrorOf(() => findChromium(isolatedEnv({ FLEET_CHROMIUM_PATH: notExecutable })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('FLEET_CHROMIUM_PATH');
    expect(error.message).toMatch(/^FLEET_CHROMIUM_PATH /);
    expect(error.message).toContain(notExecutable);
  });

  it('refuses a FLEET_CHROMIUM_PATH that does not exist', () => {
    const error = fleetErrorOf(() => findChromium(isolatedEnv({ FLEET_CHROMIUM_PATH: path.join(root, 'missing') })));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'FLEET_CHROMIUM_PATH' });
  });

  it('refuses a FLEET_CHROMIUM_PATH that is a directory', () => {
    const error = fleetErrorOf(() => findChromium(isolatedEnv({ FLEET_CHROMIUM_PATH: emptyDir('opt/a-directory') })));
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it("returns the newest revision in Playwright's cache", () => {
    fakeBrowser('cache/chromium-1100/chrome-linux/chrome');
    const newest = fakeBrowser('cache/chromium-1200/chrome-linux64/chrome');
    fakeBrowser('bin/chromium');
    expect(findChromium(isolatedEnv())).toBe(newest);
  });

  it('looks in ~/.cache/ms-playwright when PLAYWRIGHT_BROWSERS_PATH is unset', () => {
    const browser = fakeBrowser('home/.cache/ms-playwright/chromium-1300/chrome-linux/chrome');
    const { PLAYWRIGHT_BROWSERS_PATH: _unused, ...env } = isolatedEnv();
    expect(findChromium(env)).toBe(browser);
  });

  it('falls back to chromium on PATH when the cache is empty', () => {
    const onPath = fakeBrowser('bin/chromium');
    expect(findChromium(isolatedEnv({ PATH: [emptyDir('other-bin'), path.dirname(onPath)].join(path.delimiter) }))).toBe(onPath);
  });

  it('skips a chromium on PATH that is not executable', () => {
    fakeBrowser('bin/chromium', 0o644);
    const chrome = fakeBrowser('bin2/google-chrome');
    expect(findChromium(isolatedEnv({ PATH: [path.join(root, 'bin'), path.join(root, 'bin2')].join(path.delimiter) }))).toBe(chrome);
  });

  it('throws CHROMIUM_NOT_FOUND when there is no Chromium anywhere', () => {
    const error = fleetErrorOf(() => findChromium(isolatedEnv()));
    expect(error.code).toBe('CHROMIUM_NOT_FOUND');
    expect(error.message).toContain('FLEET_CHROMIUM_PATH');
  });
});

describe('findPlaywrightChromium', () => {
  it('orders revisions by number, not by text', () => {
    fakeBrowser('cache/chromium-999/chrome-linux/chrome');
    const newest = fakeBrowser('cache/chromium-1100/chrome-linux/chrome');
    expect(findPlaywrightChromium(path.join(root, 'cache'))).toBe(newest);
  });

  it('skips a newer revision whose executable is missing or not executable', () => {
    const usable = fakeBrowser('cache/chromium-1100/chrome-linux/chrome');
    fakeBrowser('cache/chromium-1200/chrome-linux64/chrome', 0o644);
    emptyDir('cache/chromium-1300/chrome-linux64');
    expect(findPlaywrightChromium(path.join(root, 'cache'))).toBe(usable);
  });

  it('ignores directories that are not chromium-<revision>', () => {
    fakeBrowser('cache/chromium_headless_shell-1200/chrome-linux/headless_shell');
    fakeBrowser('cache/firefox-1400/firefox/firefox');
    expect(findPlaywrightChromium(path.join(root, 'cache'))).toBeUndefined();
  });

  it('returns undefined for a cache directory that does not exist', () => {
    expect(findPlaywrightChromium(path.join(root, 'nope'))).toBeUndefined();
  });
});
