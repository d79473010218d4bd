import { describe, expect, it } from 'vitest';
import { readWorkerEnv } from '../dist/worker-env.js';

describe('the worker-only environment', () => {
  it('reads the browser mode, contexts per browser, idle times and memory limit, and leaves unset ones to their defaults', () => {
    expect(readWorkerEnv({})).toEqual({});
    expect(
      readWorkerEnv({
        FLEET_BROWSER_MODE: 'shared',
        FLEET_CONTEXTS_PER_BROWSER: '25',
        FLEET_CONTEXT_IDLE_MS: '0',
        FLEET_SPARE_PAGE_IDLE_MS: '0',
        FLEET_MEMORY_LIMIT_MB: '4096',
      }),
    ).toEqual({ browserMode: 'shared', contextsPerBrowser: 25, contextIdleMs: 0, sparePageIdleMs: 0, memoryLimitMb: 4096 });
  });

  it.each([
    ['FLEET_BROWSER_MODE', 'incognito', /FLEET_BROWSER_MODE must be one of persistent, shared/],
    ['FLEET_CONTEXTS_PER_BROWSER', '0', /FLEET_CONTEXTS_PER_BROWSER must be an integer from 1/],
    ['FLEET_CONTEXT_IDLE_MS', 'ten minutes', /FLEET_CONTEXT_IDLE_MS must be an integer/],
    ['FLEET_SPARE_PAGE_IDLE_MS', '-1', /FLEET_SPARE_PAGE_IDLE_MS must be an integer from 0/],
    ['FLEET_MEMORY_LIMIT_MB', '12', /FLEET_MEMORY_LIMIT_MB must be an integer from 256/],
  ])('refuses %s=%s with an error that names the variable', (name, value, message) => {
    expect(() => readWorkerEnv({ [name]: value })).toThrow(message);
    try {
      readWorkerEnv({ [name]: value });
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: name });
    }
  });
});
