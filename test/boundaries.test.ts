/**
 * The architecture's boundaries (STYLE.md habit 7), checked on the source: which package may import
 * which, no reaching into another package by relative path, and no import cycle inside a package.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const PACKAGES_DIR = fileURLToPath(new URL('../packages/', import.meta.url));
const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;

/** `@fleetwright/<name>` packages that each package must never import. */
const FORBIDDEN: Record<string, (other: string) => boolean> = {
  shared: () => true,
  master: (other) => other === 'worker',
  worker: (other) => other === 'master',
  // The dashboard runs in a browser: the contract and the typed client, nothing with Node inside.
  dashboard: (other) => other !== 'shared' && other !== 'client',
};

/** shared's entries with nothing of Node inside (the dashboard bundle test keeps /constants free of zod too). */
const BROWSER_ENTRIES = new Set(['@fleetwright/shared/contract', '@fleetwright/shared/constants']);

interface ImportRef {
  specifier: string;
  /** Erased at run time (`import type`, `export type`, `import('x').T`), so it cannot form a load cycle. */
  typeOnly: boolean;
}

interface SourceFile {
  pkg: string;
  file: string;
  imports: ImportRef[];
}

/** Every module specifier in `text`, found by TypeScript's parser, so comments and strings do not count. */
function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      out.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, typeOnly: true });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) out.push({ specifier: (node.arguments[0] as ts.StringLiteralLike).text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full);
    return SOURCE_FILE.test(entry.name) ? [full] : [];
  });
}

function scanPackages(): SourceFile[] {
  const packages = fs
    .readdirSync(PACKAGES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  return packages.flatMap((pkg) =>
    walk(path.join(PACKAGES_DIR, pkg, 'src')).map((file) => ({ pkg, file, imports: importsOf(file, fs.readFileSync(file, 'utf8')) })),
  );
}

/** The source file a relative specifier loads (NodeNext: `./x.js` is `./x.ts`), or undefined for non-TS targets. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|mjs|cjs|ts|tsx|mts|cts)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  return candidates.find((c) => SOURCE_FILE.test(c) && fs.existsSync(c) && fs.statSync(c).isFile());
}

/** Every cycle reachable in `graph`, each as the list of nodes from its start back to it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const files = scanPackages();
const rel = (file: string) => path.relative(PACKAGES_DIR, file);

describe('package boundaries', () => {
  it('finds the packages and their imports', () => {
    const pkgs = new Set(files.map((f) => f.pkg));
    expect(pkgs.has('shared')).toBe(true);
    expect(files.filter((f) => f.pkg === 'shared' && f.imports.length > 0).length).toBeGreaterThan(5);
  });

  it('keeps every package to the @fleetwright packages it may import', () => {
    const violations = files.flatMap(({ pkg, file, imports }) =>
      imports
        .map(({ specifier }) => /^@fleetwright\/([^/]+)/.exec(specifier)?.[1])
        .filter((other): other is string => other !== undefined && other !== pkg && (FORBIDDEN[pkg]?.(other) ?? false))
        .map((other) => `${rel(file)} imports @fleetwright/${other}`),
    );
    expect(violations).toEqual([]);
  });

  it('lets browser code (dashboard, client) take shared only through its browser-safe /contract and /constants entries', () => {
    const violations = files
      .filter(({ pkg }) => pkg === 'dashboard' || pkg === 'client')
      .flatMap(({ file, imports }) =>
        imports
          .filter(({ specifier, typeOnly }) => !typeOnly && specifier.startsWith('@fleetwright/shared') && !BROWSER_ENTRIES.has(specifier))
          .map(({ specifier }) => `${rel(file)} imports ${specifier}`),
      );
    expect(violations).toEqual([]);
  });

  it('never reaches into another package (or out of its own) by relative path', () => {
    const violations = files.flatMap(({ pkg, file, imports }) =>
      imports
        .filter(({ specifier }) => specifier.startsWith('.'))
        .filter(({ specifier }) => {
          const target = path.relative(path.join(PACKAGES_DIR, pkg), path.resolve(path.dirname(file), specifier));
          return target.startsWith('..') || path.isAbsolute(target);
        })
        .map(({ specifier }) => `${rel(file)} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it("keeps the worker's browser layer from importing the job runner (the runner uses the browsers, not the reverse)", () => {
    const browserDir = path.join(PACKAGES_DIR, 'worker', 'src', 'browser');
    const runnerDir = path.join(PACKAGES_DIR, 'worker', 'src', 'runner');
    const browserFiles = files.filter(({ file }) => file.startsWith(browserDir + path.sep));
    expect(browserFiles.length).toBeGreaterThan(5);
    const violations = browserFiles.flatMap(({ file, imports }) =>
      imports
        .filter(({ specifier }) => specifier.startsWith('.') && path.resolve(path.dirname(file), specifier).startsWith(runnerDir + path.sep))
        .map(({ specifier }) => `${rel(file)} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it('has no import cycle inside any package', () => {
    const graph = new Map<string, string[]>();
    for (const { file, imports } of files) {
      const targets = imports.filter((i) => !i.typeOnly && i.specifier.startsWith('.')).map((i) => resolveRelative(file, i.specifier));
      graph.set(
        file,
        targets.filter((t): t is string => t !== undefined),
      );
    }
    const cycles = findCycles(graph).map((cycle) => cycle.map(rel).join(' -> '));
    expect(cycles).toEqual([]);
  });
});

describe('the boundary checker itself', () => {
  it('sees static, re-export, dynamic and require imports, and marks type-only ones', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, d } from './c.js';",
      "export * from './e.js';",
      "export type { F } from './f.js';",
      "const g = await import('@fleetwright/worker');",
      "const h = require('./h.cjs');",
      "type I = import('./i.js').I;",
      "// import x from './commented.js';",
      'const s = "import y from \'./in-a-string.js\'";',
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './b.js', typeOnly: true },
      { specifier: './c.js', typeOnly: false },
      { specifier: './e.js', typeOnly: false },
      { specifier: './f.js', typeOnly: true },
      { specifier: '@fleetwright/worker', typeOnly: false },
      { specifier: './h.cjs', typeOnly: false },
      { specifier: './i.js', typeOnly: true },
    ]);
  });

  it('reports a cycle with its path and stays quiet on a diamond', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycles(cyclic)).toEqual([['a', 'b', 'c', 'a']]);
    const diamond = new Map([
      ['a', ['b', 'c']],
      ['b', ['d']],
      ['c', ['d']],
      ['d', []],
    ]);
    expect(findCycles(diamond)).toEqual([]);
    expect(findCycles(new Map([['self', ['self']]]))).toEqual([['self', 'self']]);
  });
});
