import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{electron,renderer,server,test}/**/*.test.{ts,tsx}'],
    exclude: ['node_modules/**', 'out/**', 'test/bench/**'],
    // Media and browser tests share two cores: one file at a time keeps timings honest.
    fileParallelism: false,
    // Generous: real servers, databases and browsers start slowly on a shared two-core machine
    // (a PGlite data folder took over 20 s under load); speed is measured in benchmarks, not here.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Server children forked by tests (studio, supervisor) keep their database in memory,
    // never in the developer's ~/.spacecraft. Database tests name their own folders.
    env: { SPACECRAFT_DATA_DIR: 'memory://' },
  },
});
