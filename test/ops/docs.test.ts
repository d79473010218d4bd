import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricName } from '../../packages/master/src/metrics/metric-names.js';

const README = readFileSync('README.md', 'utf8');
const OPERATIONS = readFileSync('docs/operations.md', 'utf8');

/** Every TypeScript source file of the packages, plus the PM2 file. */
function sources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
  return [...readdirSync('packages').flatMap((p) => (existsSync(`packages/${p}/src`) ? walk(`packages/${p}/src`) : [])), 'ecosystem.config.js'];
}

describe('README and docs/operations.md stay true to the code', () => {
  it('lists every environment variable the code reads in the README configuration table', () => {
    const names = new Set<string>();
    for (const file of sources()) {
      for (const m of readFileSync(file, 'utf8').matchAll(
        /(?:env(?:\.|\[\s*['"])|readVar\(\s*\w+,\s*['"]|read(?:Int|Bool|Enum|Url)\(\s*[\w.]+,\s*['"]|['"])(FLEET_[A-Z_]+|PORT|WORKER_ID|MASTER_HOST|MASTER_PORT|MAX_ACCOUNTS|HEADLESS|DATA_DIR|LOG_LEVEL)\b/g,
      ))
        names.add(m[1]!);
    }
    names.delete('FLEET_VERSION'); // a constant, not a variable
    const table = README.slice(README.indexOf('## Configuration'), README.indexOf('## ', README.indexOf('## Configuration') + 3));
    expect(names.size).toBeGreaterThan(25);
    expect([...names].filter((n) => !table.includes(`\`${n}\``)).sort()).toEqual([]);
  });

  it('describes every metric the master exposes', () => {
    expect(Object.values(MetricName).filter((name) => !OPERATIONS.includes(`| \`${name}\` |`))).toEqual([]);
  });

  it('links only to files that exist', () => {
    for (const [doc, dir] of [
      [README, '.'],
      [OPERATIONS, 'docs'],
    ] as const) {
      const targets = [...doc.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^https?:/.test(t));
      expect(targets.length).toBeGreaterThan(1);
      expect(targets.filter((t) => !existsSync(path.join(dir, t)))).toEqual([]);
    }
  });
});
