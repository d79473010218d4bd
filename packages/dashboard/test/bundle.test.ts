import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The dashboard imports the contract's names from `@fleetwright/shared/constants` and its types
 * type-only, so the schemas (and zod, ~450 KB minified) stay out of the page.
 */
describe('the dashboard bundle', () => {
  it('holds no zod and nothing of the shared schemas', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/main.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('socket.io-client'))).toBe(true); // the walk did reach the dependencies
    expect(inputs.filter((i) => i.includes('node_modules/zod/'))).toEqual([]);
    expect(inputs.filter((i) => /shared\/(dist|src)\/schemas\/(?!constants)/.test(i))).toEqual([]);
  });
});
