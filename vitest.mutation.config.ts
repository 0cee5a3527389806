import { defineConfig } from 'vitest/config';

// The tests StrykerJS runs against each mutant (npm run test:mutation): the
// ones that load functions/ in-process. Left out: test/render and test/grpc
// (they run the built bundle, dist/function-odoo.cjs, in a process of its
// own, so they never see a mutant of functions/), test/postgres and
// test/package (PostgreSQL, packages), test/fuzz (long random runs), test/e2e,
// and test/unit/monitoring.test.ts (promtool on monitoring/, no code of functions/).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts'],
    exclude: ['test/unit/monitoring.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
