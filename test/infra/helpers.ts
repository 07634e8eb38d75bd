/** Shared setup of the infra tests: the same context (feature flags) `cdk synth` uses. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/constructs/provisio-function.ts';

/** The `context` of cdk.json: feature flags the CLI passes to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * Context that skips asset bundling: template assertions don't need the bundles, and esbuild
 * on every synthesis would dominate test time. Bundling is tested in provisio-function.test.ts
 * and by the `cdk synth` test.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** Synthesis and esbuild take seconds on a small CI machine. */
export const SYNTH_TIMEOUT_MS = 120_000;
