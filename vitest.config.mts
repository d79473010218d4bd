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
    // Type tests (`*.test-d.ts`): a wrong event name or payload must not compile.
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts', 'test/**/*.test-d.ts'], tsconfig: './tsconfig.typecheck.json' },
  },
});
