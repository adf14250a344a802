import { defineConfig } from 'vitest/config';
import { captureLines } from './test/helpers/capture.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Everything the app produces in the whole run is captured and scanned for credentials.
    globalSetup: ['test/global/secrets-scan.ts'],
    setupFiles: ['test/global/capture-worker.ts'],
    // console.* of every test file (the app's or a library's included) reaches the scan too; still printed.
    onConsoleLog: (log) => {
      captureLines('console', log);
    },
  },
});
