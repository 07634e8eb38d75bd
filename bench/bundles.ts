/**
 * The deployable bundles, built exactly as `cdk synth` builds them: every function of the
 * registry goes through `ProvisioFunction` (infra/constructs/provisio-function.ts, the one place
 * bundling options are written) twice — with the AWS SDK external (the default: the Lambda
 * runtime's copy) and bundled — next to the cold-start baseline (bench/fixtures). The same app
 * instantiates the `Provisio` construct, without bundling, to read each function's configured
 * memory from its wiring.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { type FunctionId, functionSpecs } from '../functions/registry.ts';
import { Provisio } from '../infra/constructs/provisio.ts';
import { ProvisioFunction } from '../infra/constructs/provisio-function.ts';
import { cdkJsonContext } from '../test/infra/helpers.ts';

/** One bundle: the handler module (`index.mjs`) of one function, as deployed. */
export interface Bundle {
  /** A function id of the registry, or `baseline`. */
  readonly name: FunctionId | 'baseline';
  readonly sdk: 'external' | 'bundled';
  /** The directory holding `index.mjs` and its source map. */
  readonly dir: string;
  /** Size of `index.mjs` (the source map is not loaded by the runtime). */
  readonly bytes: number;
}

export interface BuiltBundles {
  readonly bundles: Bundle[];
  /** Memory (MB) of each function as the `Provisio` construct configures it. */
  readonly memoryMb: Record<FunctionId, number>;
}

const BASELINE_ENTRY = join(import.meta.dirname, 'fixtures', 'baseline-handler.ts');
const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/** Synthesises the bundles into `outDir` (a CDK cloud assembly). Takes seconds: esbuild runs 2 × (functions + 1) times. */
export function buildBundles(outDir: string): BuiltBundles {
  const app = new App({
    outdir: outDir,
    // Bundle the `Bundles` stack only; the `Provisio` one is read for its wiring.
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': ['Bundles'] },
  });
  const wired = new Provisio(new Stack(app, 'Wiring'), 'Provisio', {
    senderEmail: 'bench@example.com',
  });
  const stack = new Stack(app, 'Bundles');
  const entries = [
    ...Object.entries(functionSpecs).map(([id, spec]) => ({
      name: id as FunctionId,
      entry: spec.entry,
    })),
    { name: 'baseline' as const, entry: BASELINE_ENTRY },
  ];
  const built = entries.flatMap(({ name, entry }) =>
    (['external', 'bundled'] as const).map((sdk) => ({
      name,
      sdk,
      fn: new ProvisioFunction(stack, `${pascal(name)}${pascal(sdk)}`, {
        entry,
        bundleAwsSdk: sdk === 'bundled',
      }),
    })),
  );
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundles').template as {
    Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
  };
  const bundles = built.map(({ name, sdk, fn }): Bundle => {
    const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
    const key = template.Resources[logicalId]!.Properties.Code.S3Key;
    const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    return { name, sdk, dir, bytes: statSync(join(dir, 'index.mjs')).size };
  });

  const memoryMb = {} as Record<FunctionId, number>;
  for (const id of Object.keys(functionSpecs) as FunctionId[]) {
    // Lambda's own default, should the construct ever leave it unset.
    memoryMb[id] = Number((wired.functions[id].node.defaultChild as CfnFunction).memorySize ?? 128);
  }
  return { bundles, memoryMb };
}
