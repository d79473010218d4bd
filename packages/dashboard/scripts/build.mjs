// Builds the dashboard to static files in dist/: index.html, app.js (bundled by esbuild from
// src/main.ts and the workspace packages it imports) and styles.css. The master serves dist/ at /.
// Type checking is `tsc -b`'s job (the root build runs it first); this only bundles.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));

mkdirSync(here('dist'), { recursive: true });
const result = await build({
  entryPoints: [here('src/main.ts')],
  outfile: here('dist/app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
for (const name of ['index.html', 'styles.css']) copyFileSync(here(`static/${name}`), here(`dist/${name}`));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dashboard: dist/ built (app.js + map ${Math.round(bytes / 1024)} KB)`);
