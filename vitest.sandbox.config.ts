import { defineConfig } from 'vitest/config';

// npm run test:sandbox: npm run sandbox as a person runs it, then down.
export default defineConfig({
  test: {
    include: ['test/sandbox/*.sandbox.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
