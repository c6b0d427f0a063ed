import { configDefaults, defineConfig } from 'vitest/config';

const MEDQUAD_INGEST = 'test/integration/medquad-ingest.test.ts';

export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only add PGlite start-ups competing for the same CPUs.
    maxWorkers: 2,
    // Processes the tests start (npm start, the CLIs) embed with the fast embedder too
    // (test/support/services.ts, FAST_EMBEDDER).
    env: { OFFLINE_EMBEDDER: 'hashing' },
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, MEDQUAD_INGEST] } },
      // The whole-corpus ingest keeps both cores busy for minutes (its HNSW build runs in
      // parallel workers): alone, after the rest, so that no other test's timing suffers.
      { extends: true, test: { name: 'medquad', include: [MEDQUAD_INGEST], sequence: { groupOrder: 1 } } },
    ],
  },
});
