import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Projects:
 * - unit: the pure domain, no I/O;
 * - tooling: the layer rules themselves;
 * - sqlite / postgres: every integration test (store, services, HTTP through app.inject) once per database;
 * - e2e: a real Chromium against a real server (see e2e/README.md).
 */
const integration = ['test/store/**/*.test.{ts,tsx}', 'test/services/**/*.test.{ts,tsx}', 'test/web/**/*.test.{ts,tsx}', 'test/jobs/**/*.test.{ts,tsx}', 'test/cli/**/*.test.{ts,tsx}', 'test/demo/**/*.test.{ts,tsx}'];
// Dialect-specific files run in their database's project only (never skipped in the other).
const sqliteOnly = ['test/store/sqlite/**'];
const postgresOnly = ['test/store/postgres/**', 'test/multiprocess/**'];

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    // Vite sets BASE_URL (its base path, "/"); kei-oss reads BASE_URL as the portal's address (links in mails).
    env: { BASE_URL: '' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/domain/**/*.test.{ts,tsx}'] } },
      // The layer rules (dependency-cruiser) on a fixture of deliberate wrong imports and on src/.
      { extends: true, test: { name: 'tooling', include: ['test/tooling/**/*.test.ts'] } },
      { extends: true, test: { name: 'sqlite', include: integration, exclude: [...configDefaults.exclude, ...postgresOnly], env: { KEI_TEST_DB: 'sqlite' }, testTimeout: 30_000, hookTimeout: 60_000 } },
      // PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), one schema per test file.
      { extends: true, test: { name: 'postgres', include: [...integration, 'test/multiprocess/**/*.test.{ts,tsx}'], exclude: [...configDefaults.exclude, ...sqliteOnly], env: { KEI_TEST_DB: 'postgres' }, testTimeout: 30_000, hookTimeout: 60_000 } },
      // After the others (groupOrder), two files at a time: each has its own server and Chromium.
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, maxWorkers: 2, sequence: { groupOrder: 1 } } },
    ],
  },
});
