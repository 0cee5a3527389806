import { defineConfig } from 'vitest/config';

// npm run test:e2e: one control plane, scenarios in order, generous timeouts.
// The SaaS-shaped load runs with npm run bench:saas (it sets E2E_SAAS_TENANTS),
// outside CI: with it, CI would pass its 60 minutes on a cold machine; so
// does the package upgrade under a running tenant (npm run test:upgrade sets
// E2E_UPGRADE).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    exclude: [...(process.env.E2E_SAAS_TENANTS ? [] : ['test/e2e/saas.e2e.ts']), ...(process.env.E2E_UPGRADE ? [] : ['test/e2e/upgrade.e2e.ts'])],
    setupFiles: ['test/e2e/support/stop-after-failure.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
