import { defineConfig } from 'vitest/config';

/**
 * Files that start no browser: real SQLite, Redis, PostgreSQL and Socket.IO on loopback, mostly
 * waiting on timers and sockets, so two at a time share the two cores without starving each other.
 */
const withoutBrowsers = ['packages/master/test/**/*.test.ts', 'packages/shared/test/**/*.test.ts', 'packages/sandbox/test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'without-browsers',
          include: withoutBrowsers,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          // Type tests (`*.test-d.ts`): a wrong event name or payload must not compile.
          typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts', 'test/**/*.test-d.ts'], tsconfig: './tsconfig.typecheck.json' },
        },
      },
      {
        extends: true,
        test: {
          name: 'with-browsers',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: withoutBrowsers,
          // Chromium shares two cores: one file at a time keeps browsers from starving each other.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
