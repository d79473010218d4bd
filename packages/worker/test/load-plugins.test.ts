import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetError } from '@fleetwright/shared';
import { loadPlugins } from '@fleetwright/worker';
import { makeTempDir } from './support/temp-dir.js';

const zodUrl = new URL(import.meta.resolve('zod')).href;

describe('plugins named in FLEET_PLUGINS', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.remove());

  const write = (name: string, source: string): string => {
    const file = path.join(temp.dir, name);
    writeFileSync(file, source);
    return file;
  };
  const refusal = async (spec: string): Promise<FleetError> => {
    try {
      await loadPlugins(spec);
    } catch (error) {
      return error as FleetError;
    }
    throw new Error('expected loadPlugins to refuse');
  };

  it('loads a plugin object and a plugin factory given the env', async () => {
    const direct = write(
      'direct.mjs',
      `import { z } from '${zodUrl}'; export default { platform: 'acme', jobs: { ping: { schema: z.object({}), run: async () => 'pong' } } };`,
    );
    const factory = write(
      'factory.mjs',
      `import { z } from '${zodUrl}'; export default (env) => ({ platform: env.ACME_NAME, jobs: { ping: { schema: z.object({}), run: async () => 'pong' } } });`,
    );
    process.env.ACME_NAME = 'acme2';
    const plugins = await loadPlugins(`${direct}, ${factory}`);
    delete process.env.ACME_NAME;
    expect(plugins.map((p) => [p.platform, Object.keys(p.jobs)])).toEqual([
      ['acme', ['ping']],
      ['acme2', ['ping']],
    ]);
  });

  it('refuses a module that does not load, naming FLEET_PLUGINS and the module', async () => {
    const error = await refusal('./no-such-plugin.mjs');
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'FLEET_PLUGINS' });
    expect(error.message).toContain('no-such-plugin.mjs');
  });

  it('refuses a default export that is not a plugin, and a job without a schema', async () => {
    expect(await refusal(write('bad.mjs', 'export default { name: "x" };'))).toMatchObject({ code: 'CONFIG_INVALID', field: 'FLEET_PLUGINS' });
    const noSchema = await refusal(write('noschema.mjs', 'export default { platform: "acme", jobs: { ping: { run: async () => 1 } } };'));
    expect(noSchema.message).toContain('ping');
  });

  it("refuses a job timeoutMs outside 1 s–24 h, naming the job; a valid one reaches the worker's capabilities", async () => {
    const tooShort = await refusal(
      write(
        'short.mjs',
        `import { z } from '${zodUrl}'; export default { platform: "acme", jobs: { ping: { schema: z.object({}), timeoutMs: 500, run: async () => 1 } } };`,
      ),
    );
    expect(tooShort).toMatchObject({ code: 'CONFIG_INVALID', field: 'FLEET_PLUGINS' });
    expect(tooShort.message).toContain('job ping has timeoutMs 500');
    const [plugin] = await loadPlugins(
      write(
        'slow.mjs',
        `import { z } from '${zodUrl}'; export default { platform: "acme", jobs: { ping: { schema: z.object({}), run: async () => 1 }, crawl: { schema: z.object({}), timeoutMs: 600000, run: async () => 1 } } };`,
      ),
    );
    expect(plugin!.jobs.crawl!.timeoutMs).toBe(600_000);
  });
});
