import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = path.resolve('packages/cli/dist/main.js');

async function exitOf(role: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [CLI, role], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('a bad environment value stops a process with one clear line', () => {
  it.each([
    ['master', { PORT: 'abc' }, 'PORT'],
    ['master', { FLEET_SECRET_KEY: 'too-short' }, 'FLEET_SECRET_KEY'],
    ['master', { FLEET_DB_SYNCHRONOUS: 'sometimes' }, 'FLEET_DB_SYNCHRONOUS'],
    ['worker', { FLEET_MAX_CONCURRENCY: '0' }, 'FLEET_MAX_CONCURRENCY'],
    ['worker', { HEADLESS: 'maybe' }, 'HEADLESS'],
    ['worker', { FLEET_MASTER_URL: 'ftp://x' }, 'FLEET_MASTER_URL'],
    ['worker', { FLEET_CHROMIUM_PATH: '/nonexistent/chrome' }, 'FLEET_CHROMIUM_PATH'],
    ['worker', { FLEET_DRAIN_TIMEOUT_MS: 'soon' }, 'FLEET_DRAIN_TIMEOUT_MS'],
    ['worker', { FLEET_TRACE: 'sometimes' }, 'FLEET_TRACE'],
    ['worker', { FLEET_PLUGINS: './no-such-plugin.js', FLEET_WORKER_TOKEN: 'fww_test_token' }, 'FLEET_PLUGINS'],
  ])('%s refuses %o', async (role, env, variable) => {
    const { code, stderr } = await exitOf(role, env);
    expect(code).toBe(78);
    const lines = stderr.split('\n').filter((l) => l.trim() && !l.includes('nodedir'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
  });
});
