/** Shared setup of the infra tests: the same context (feature flags) `cdk synth` uses. */

/**
 * Context that skips asset bundling: template assertions don't need the bundles, and esbuild
 * on every synthesis would dominate test time. Bundling is tested in provisio-function.test.ts
 * and by the `cdk synth` test.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** Synthesis and esbuild take seconds on a small CI machine. */
export const SYNTH_TIMEOUT_MS = 120_000;
