import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (fast, no external tools; jsdom for renderer files) and `integration`
 * (real SoftHSM2 tokens, OpenSSL, NSS, GnuTLS, keytool, loopback servers). scripts/test.mjs runs
 * them separately so the counts are printed per suite.
 */
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
