import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{electron,renderer,server,test}/**/*.test.{ts,tsx}'],
    exclude: ['node_modules/**', 'out/**', 'test/bench/**'],
    // Media and browser tests share two cores: one file at a time keeps timings honest.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Server children forked by tests (studio, supervisor) keep their database in memory,
    // never in the developer's ~/.spacecraft. Database tests name their own folders.
    env: { SPACECRAFT_DATA_DIR: 'memory://' },
  },
});
