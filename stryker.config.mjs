// StrykerJS: mutation testing of functions/ against the in-process tests
// (vitest.mutation.config.ts). Run it with `npm run test:mutation`
// (scripts/test-mutation), which also prints the score per folder; see
// docs/mutation-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'functions/**/*.ts',
    // Wiring only: main.ts parses flags and serves, server.ts is the gRPC and
    // TLS server. Their tests (test/grpc) start the built bundle as a
    // process, which no mutant reaches, so every mutant there would report
    // NoCoverage without saying anything about the tests.
    '!functions/main.ts',
    '!functions/server.ts',
  ],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level code: zod schemas and their descriptions,
  // message tables, constants) run the whole suite in a fresh environment
  // each, about 6 s apiece here; there are thousands in functions/. The
  // script ignores them for a run over all of functions/ and tests them for
  // a sample (STRYKER_IGNORE_STATIC=0 or 1 decides either way).
  ignoreStatic: process.env.STRYKER_IGNORE_STATIC === '1',
  // One test runner by default: CI machines and developers' have 2 cores,
  // and the other is often running the end-to-end tests.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // Incremental mode is off: a full run of one file takes minutes, and a
  // stale incremental file would report results of code that changed.
  incremental: false,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  clearTextReporter: { allowColor: false, allowEmojis: false, logTests: false, reportScoreTable: true },
  jsonReporter: { fileName: '.work/mutation/mutation.json' },
  htmlReporter: { fileName: '.work/mutation/mutation.html' },
  // Not needed by the tests above; .tools alone holds Node and the Go-built binaries.
  ignorePatterns: ['/.tools', '/.work', '/dist', '/.ci'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
