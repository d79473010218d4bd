import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CapabilitySchema, type FleetError } from '@fleetwright/shared';
import { loadPlugins } from '@fleetwright/worker';
import { RunnerRig } from './support/runner-rig.js';
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
  describe("a job's declared default limits", () => {
    const withLimits = (file: string, limits: string): string =>
      write(
        file,
        `import { z } from '${zodUrl}'; export default { platform: "acme", jobs: { ping: { schema: z.object({}), run: async () => 1 }, reply: { schema: z.object({}), limits: ${limits}, run: async () => 1 } } };`,
      );

    it.each([
      ['a negative max', '{ account: { max: -1, windowMs: 60000 } }', 'limits.account.max'],
      ['a zero window', '{ account: { max: 10, windowMs: 0 } }', 'limits.account.windowMs'],
      ['a max without its window', '{ platform: { max: 10 } }', 'limits.platform.windowMs'],
      ['an unknown scope', '{ galaxy: { max: 10, windowMs: 1000 } }', 'limits.galaxy'],
      ['an unknown field of a rule', '{ account: { concurrency: 2, burst: 5 } }', 'limits.account.burst'],
      ['a fractional concurrency', '{ account: { concurrency: 1.5 } }', 'limits.account.concurrency'],
      ['an empty rule', '{ account: {} }', 'limits.account.max'],
      ['limits that are not an object', '"20 an hour"', 'limits'],
    ])('refuses %s, naming the plugin, the job type and the field', async (_what, limits, field) => {
      const file = withLimits(`limits-${field.replace(/\W/g, '_')}.mjs`, limits);
      const error = await refusal(file);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'FLEET_PLUGINS' });
      expect(error.message).toContain(`names ${file}, whose job reply has a bad ${field}:`);
    });

    it("keeps valid limits on the job, and the worker's capabilities carry them per job type", async () => {
      const [plugin] = await loadPlugins(withLimits('limits-ok.mjs', '{ account: { max: 20, windowMs: 3600000 }, platform: { concurrency: 5 } }'));
      expect(plugin!.jobs.reply!.limits).toEqual({ account: { max: 20, windowMs: 3_600_000 }, platform: { concurrency: 5 } });
      const rig = new RunnerRig({ plugins: [plugin!] });
      try {
        const [capability] = rig.runner.capabilities();
        expect(CapabilitySchema.parse(capability)).toMatchObject({
          platform: 'acme',
          limits: { reply: { account: { max: 20, windowMs: 3_600_000 }, platform: { concurrency: 5 } } },
        });
        expect(capability!.limits).not.toHaveProperty('ping');
      } finally {
        await rig.close();
      }
    });
  });
});
