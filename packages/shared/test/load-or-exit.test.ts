import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const SCRIPT = "import { loadOrExit, loadConfig } from '@fleetwright/shared'; loadOrExit(() => loadConfig(), 'fleet-test'); console.log('loaded');";

/** The environment of this process without any fleet setting, so only what a test adds counts. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const aliases = new Set(['WORKER_ID', 'MASTER_HOST', 'MASTER_PORT', 'MAX_ACCOUNTS', 'HEADLESS', 'DATA_DIR', 'LOG_LEVEL', 'PORT']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FLEET_') && !aliases.has(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

function runChild(extra: Record<string, string>) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: REPO_ROOT,
    env: cleanEnv(extra),
    encoding: 'utf8',
    timeout: 30_000,
  });
  const stderrLines = child.stderr.split('\n').filter((line) => line.trim() !== '' && !line.includes('nodedir'));
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderrLines };
}

describe('loadOrExit in a real process', () => {
  it('exits with EX_CONFIG and one stderr line naming the bad variable', () => {
    const { status, signal, stdout, stderrLines } = runChild({ FLEET_MAX_CONCURRENCY: 'abc' });
    expect(signal).toBeNull();
    expect(status).not.toBe(0);
    expect(status).toBe(78);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toContain('FLEET_MAX_CONCURRENCY');
    expect(stderrLines[0]).toMatch(/^fleet-test: invalid configuration: FLEET_MAX_CONCURRENCY /);
    expect(stderrLines[0]).not.toMatch(/\bat .*\.js:\d+/);
    expect(stdout).not.toContain('loaded');
  });

  it('names the seed-era alias that the operator wrote', () => {
    const { status, stderrLines } = runChild({ HEADLESS: 'maybe' });
    expect(status).toBe(78);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toContain('invalid configuration: HEADLESS ');
  });

  it('carries on when the configuration is valid', () => {
    const { status, stdout, stderrLines } = runChild({ FLEET_MAX_CONCURRENCY: '3' });
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('loaded');
    expect(stderrLines).toEqual([]);
  });
});
