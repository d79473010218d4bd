import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Browser tests share two cores; running files one at a time keeps them from starving each other.
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
