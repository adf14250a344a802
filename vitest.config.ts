import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Everything the app produces in the whole run is captured and scanned for credentials.
    globalSetup: ['test/global/secrets-scan.ts'],
    setupFiles: ['test/global/capture-fetch.ts'],
  },
});
