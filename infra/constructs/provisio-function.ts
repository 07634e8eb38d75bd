/**
 * The one way Provisio builds a Lambda function: runtime, architecture, bundling, tracing and
 * logging are fixed here so every handler is deployed the same way.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { FUNCTION_LOGGING } from './logging.ts';

/** The repository root: handler entries in `functions/registry.ts` are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Bundles are ES modules; esbuild turns a bundled CommonJS dependency's `require('node:…')`
 * into a call that throws unless a real `require` exists, so the banner provides one.
 * https://github.com/evanw/esbuild/issues/1921
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __provisioCreateRequire } from 'node:module'; const require = __provisioCreateRequire(import.meta.url);";

/** The folder of a bundle's chunks, beside `index.mjs`. */
const CHUNKS = 'chunks';

/** A bundle's modules, relative to its folder: `index.mjs`, then every chunk. */
export function bundleModules(dir: string): string[] {
  const chunks = join(dir, CHUNKS);
  return [
    'index.mjs',
    ...(existsSync(chunks)
      ? readdirSync(chunks)
          .filter((f) => f.endsWith('.mjs'))
          .map((f) => `${CHUNKS}/${f}`)
      : []),
  ];
}

export interface BundleOptions {
  /** The handler module, absolute. */
  readonly entry: string;
  /** Bundle the AWS SDK (else `@aws-sdk/*` is left to the runtime's copy). */
  readonly bundleAwsSdk: boolean;
  /** Also write `index.meta.json`, esbuild's metafile. */
  readonly metafile: boolean;
}

/**
 * The handler bundled into `outputDir` with esbuild: `index.mjs` (minified ES module, linked
 * source map) and, for every `import()` the code makes, the modules only it needs in
 * `chunks/`, which Node reads when that import runs, not at cold start. Without code splitting
 * a dynamic import stays in `index.mjs` as a module initialised on first use, still parsed, and
 * its source map read, at every cold start; split, a cold start pays for what the handler
 * imports statically and nothing else (docs/performance.md, "Bundles and cold start").
 */
export function bundleHandler(outputDir: string, options: BundleOptions): void {
  const result = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { index: options.entry },
    outdir: outputDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // A package's ES module build, with its named exports.
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: CREATE_REQUIRE_BANNER },
    external: options.bundleAwsSdk ? [] : ['@aws-sdk/*'],
    metafile: options.metafile,
    logLevel: 'warning',
  });
  if (options.metafile) {
    writeFileSync(join(outputDir, 'index.meta.json'), JSON.stringify(result.metafile));
  }
}

/**
 * Whether a function bundles the AWS SDK v3 unless told otherwise (`bundleAwsSdk`). `npm run
 * bench` measures both ways and reports this one as deployed; docs/performance.md compares them.
 */
export const BUNDLE_AWS_SDK_BY_DEFAULT = true;

export interface ProvisioFunctionProps {
  /** Handler module exporting `handler`, relative to the repository root (or absolute). */
  readonly entry: string;
  /**
   * Function description shown in the console.
   * @default - none
   */
  readonly description?: string;
  /**
   * Environment variables; set them through `envFor` (shared/config.ts) so names are never retyped.
   * @default - none besides `NODE_OPTIONS=--enable-source-maps`
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MB (CPU scales with it, so it also shortens cold starts).
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's log group keeps logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the function's log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Bundle the AWS SDK v3 into the function instead of using the copy the Lambda runtime
   * provides. Bundled, the handler imports in about half the time (one tree-shaken file instead
   * of dozens of packages) and runs the SDK version it was tested with, at the cost of a
   * larger package; docs/performance.md has the figures.
   * @default true
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * Shell commands run in the project root after esbuild, given the bundle's directory: to put
   * files beside the handler (the console function adds the built console this way).
   * @default - none
   */
  readonly afterBundling?: (outputDir: string) => string[];
  /**
   * Also write esbuild's metafile (`index.meta.json`, the inputs and imports of the bundle) beside
   * the handler: `npm run bench` reads it to build each function's cold-start floor.
   * @default false
   */
  readonly metafile?: boolean;
}

/**
 * A Node.js 22 arm64 Lambda function bundled locally with esbuild (ESM, minified, source maps),
 * X-Ray tracing active, logging JSON lines filtered by level (`FUNCTION_LOGGING`) to its own log
 * group with a retention, and a role that may
 * write to that log group and nothing else until the caller grants more.
 */
export class ProvisioFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ProvisioFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write only to the log
    // group above, not create or write any log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    const entry = isAbsolute(props.entry) ? props.entry : join(PROJECT_ROOT, props.entry);
    const bundle: BundleOptions = {
      entry,
      bundleAwsSdk: props.bundleAwsSdk ?? BUNDLE_AWS_SDK_BY_DEFAULT,
      metafile: props.metafile ?? false,
    };
    this.function = new lambda.Function(this, 'Function', {
      // Bundled locally when the stack is synthesised (as `aws:cdk:bundling-stacks` asks), and
      // hashed by its output; the image is never pulled, as local bundling always succeeds or
      // throws.
      code: lambda.Code.fromAsset(PROJECT_ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: lambda.Runtime.NODEJS_22_X.bundlingImage,
          // What makes two functions' bundles differ, for CDK's cache of bundled assets (its key
          // is the source path and these options).
          environment: {
            PROVISIO_BUNDLE: JSON.stringify({
              ...bundle,
              entry: relative(PROJECT_ROOT, entry),
              afterBundling: props.afterBundling?.('<out>') ?? [],
            }),
          },
          local: {
            tryBundle: (outputDir) => {
              bundleHandler(outputDir, bundle);
              for (const command of props.afterBundling?.(outputDir) ?? []) {
                execSync(command, { cwd: PROJECT_ROOT, stdio: 'inherit' });
              }
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      // JSON logs filtered by level in Lambda (infra/constructs/logging.ts).
      loggingFormat: lambda.LoggingFormat[FUNCTION_LOGGING.format],
      applicationLogLevelV2: lambda.ApplicationLogLevel[FUNCTION_LOGGING.applicationLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel[FUNCTION_LOGGING.systemLogLevel],
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned to nodejs22.x on purpose, together with the esbuild target node22 the bundles are built for; a newer runtime is adopted by changing both here, deliberately, not by a moving "latest".',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (Tracing.ACTIVE) needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
    });
  }
}
