/**
 * Three test layers (STYLE.md "Tests"), run with `vitest run --project <name>`:
 * - unit: pure code, no network, fast and parallel;
 * - integration: against the local stack (DynamoDB Local, SES, cognito-local, the API server),
 *   which test/global-setup.ts starts once per run on free ports in a fresh temp directory;
 * - infra: CDK template assertions and cdk-nag; synthesis and bundling take seconds.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The integration globalSetup stops the local stack in its teardown.
    teardownTimeout: 30_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Projects run one group after another: unit first (fastest feedback), then
          // integration, then infra, so that the heavy ones never compete for the 2 cores.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          sequence: { groupOrder: 1 },
          // The stack (a JVM, cognito-local, the handlers in the globalSetup process) already
          // keeps a 2-core machine busy: two test files at a time is the sweet spot.
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 90_000,
          // `expect.poll` waits for what a page or the stack shows next: 1 s (vitest's default)
          // is a blink when the stack's own process is busy with another file's load.
          expect: { poll: { timeout: 5_000 } },
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 2 },
          // CDK synthesis with esbuild bundling of every function.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
