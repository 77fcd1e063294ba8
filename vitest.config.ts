import { defineConfig } from 'vitest/config';

/**
 * Projects:
 * - unit: the pure domain, no I/O;
 * - sqlite / postgres: every integration test (store, services, HTTP through app.inject) once per database;
 * - e2e: a real Chromium against a real server (see e2e/README.md).
 */
const integration = ['test/store/**/*.test.{ts,tsx}', 'test/services/**/*.test.{ts,tsx}', 'test/web/**/*.test.{ts,tsx}', 'test/jobs/**/*.test.{ts,tsx}', 'test/cli/**/*.test.{ts,tsx}', 'test/demo/**/*.test.{ts,tsx}'];

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/domain/**/*.test.{ts,tsx}'] } },
      { extends: true, test: { name: 'sqlite', include: integration, env: { KEI_TEST_DB: 'sqlite' }, testTimeout: 30_000, hookTimeout: 60_000 } },
      // After the others (groupOrder), two files at a time: each has its own server and Chromium.
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, maxWorkers: 2, sequence: { groupOrder: 1 } } },
    ],
  },
});
