/**
 * The deployable bundles, built exactly as `cdk synth` builds them: every function of the
 * registry goes through `ProvisioFunction` (infra/constructs/provisio-function.ts, the one place
 * bundling options are written) twice — with the AWS SDK external (the Lambda runtime's copy)
 * and bundled — and then each function's cold-start floor (bench/floors.ts), derived from the
 * metafile of its SDK-bundled build and bundled the same two ways. The same app instantiates
 * the `Provisio` construct, without bundling, to read each function's configured memory from its
 * wiring.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { type FunctionId, functionSpecs } from '../functions/registry.ts';
import { cdkJsonContext } from '../infra/cdk-context.ts';
import { Provisio } from '../infra/constructs/provisio.ts';
import {
  bundleModules,
  PROJECT_ROOT,
  ProvisioFunction,
} from '../infra/constructs/provisio-function.ts';
import { type SdkUse, sdkUseOf, writeFloor } from './floors.ts';

/** One bundle: the handler module (`index.mjs`) of one function as deployed, or of its floor. */
export interface Bundle {
  /** A function id of the registry. */
  readonly name: FunctionId;
  /** The function's own bundle, or its cold-start floor's (bench/floors.ts). */
  readonly floor: boolean;
  readonly sdk: 'external' | 'bundled';
  /** The directory holding `index.mjs` and its source map. */
  readonly dir: string;
  /**
   * Size of its code: `index.mjs` and the chunks its `import()`s read (`chunks/*.mjs`), source
   * maps and the metafile left out.
   */
  readonly bytes: number;
}

export interface BuiltBundles {
  readonly bundles: Bundle[];
  /** Memory (MB) of each function as the `Provisio` construct configures it. */
  readonly memoryMb: Record<FunctionId, number>;
  /** The AWS SDK each function's bundle imports, which its floor imports too. */
  readonly sdkUse: Record<FunctionId, SdkUse>;
}

/** The bytes of a bundle's modules: `index.mjs` and every chunk. */
const codeBytes = (dir: string) =>
  bundleModules(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);
const SDK_MODES = ['external', 'bundled'] as const;

/** Synthesises `entries` through `ProvisioFunction`, both SDK modes, into the cloud assembly `outDir`. */
function synthBundles(
  outDir: string,
  entries: readonly { name: FunctionId; floor: boolean; entry: string }[],
  wire?: (app: App) => void,
): Bundle[] {
  const app = new App({
    outdir: outDir,
    // Bundle the `Bundles` stack only; any other is read for its wiring.
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': ['Bundles'] },
  });
  wire?.(app);
  const stack = new Stack(app, 'Bundles');
  const built = entries.flatMap(({ name, floor, entry }) =>
    SDK_MODES.map((sdk) => ({
      name,
      floor,
      sdk,
      fn: new ProvisioFunction(stack, `${pascal(name)}${floor ? 'Floor' : ''}${pascal(sdk)}`, {
        entry,
        bundleAwsSdk: sdk === 'bundled',
        metafile: true,
      }),
    })),
  );
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundles').template as {
    Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
  };
  return built.map(({ name, floor, sdk, fn }): Bundle => {
    const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
    const key = template.Resources[logicalId]!.Properties.Code.S3Key;
    const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    return { name, floor, sdk, dir, bytes: codeBytes(dir) };
  });
}

/**
 * Synthesises the bundles into `outDir` and the floors' into `${outDir}.floors` (CDK cloud
 * assemblies). Takes seconds: esbuild runs 2 × 2 × functions times.
 */
export function buildBundles(outDir: string): BuiltBundles {
  let wired: Provisio | undefined;
  const functions = synthBundles(
    outDir,
    Object.entries(functionSpecs).map(([id, spec]) => ({
      name: id as FunctionId,
      floor: false,
      entry: spec.entry,
    })),
    (app) => {
      wired = new Provisio(new Stack(app, 'Wiring'), 'Provisio', {
        senderEmail: 'bench@example.com',
      });
    },
  );

  // The floors' entries are generated under the project root (CDK bundles only entries there).
  const sdkUse = {} as Record<FunctionId, SdkUse>;
  const floorsDir = mkdtempSync(join(PROJECT_ROOT, 'bench', '.floors-'));
  let floors: Bundle[];
  try {
    const entries = functions
      .filter((b) => b.sdk === 'bundled')
      .map((b) => {
        const metafile = JSON.parse(readFileSync(join(b.dir, 'index.meta.json'), 'utf8'));
        sdkUse[b.name] = sdkUseOf(metafile);
        const dir = mkdtempSync(join(floorsDir, `${b.name}-`));
        return { name: b.name, floor: true, entry: writeFloor(dir, b.name, sdkUse[b.name]) };
      });
    floors = synthBundles(`${outDir}.floors`, entries);
  } finally {
    rmSync(floorsDir, { recursive: true, force: true });
  }

  const memoryMb = {} as Record<FunctionId, number>;
  for (const id of Object.keys(functionSpecs) as FunctionId[]) {
    // Lambda's own default, should the construct ever leave it unset.
    memoryMb[id] = Number(
      (wired!.functions[id].node.defaultChild as CfnFunction).memorySize ?? 128,
    );
  }
  return { bundles: [...functions, ...floors], memoryMb, sdkUse };
}
