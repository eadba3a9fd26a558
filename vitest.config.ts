import { defineConfig } from 'vitest/config';

// Two projects: `node` runs the DOM-free core and the server on loopback;
// `e2e` drives Debian's chromium (playwright-core) against the built app served by the real server.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/server/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/fixtures/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/fixtures/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
