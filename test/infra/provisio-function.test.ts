import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../../infra/cdk-context.ts';
import { bundleModules, ProvisioFunction } from '../../infra/constructs/provisio-function.ts';
import { SYNTH_TIMEOUT_MS } from './helpers.ts';

const entry = join(import.meta.dirname, 'fixtures', 'sdk-handler.ts');
const onDemandEntry = join(import.meta.dirname, 'fixtures', 'on-demand-handler.ts');

let template: Template;
let assemblyDir: string;
let stack: Stack;
let external: ProvisioFunction;
let bundled: ProvisioFunction;
let onDemand: ProvisioFunction;

beforeAll(() => {
  // Real esbuild bundling, once for the file: two functions, with and without the SDK, and one
  // importing a package on demand.
  const app = new App({ context: cdkJsonContext() });
  stack = new Stack(app, 'Fn');
  external = new ProvisioFunction(stack, 'External', {
    entry,
    description: 'SDK external',
    bundleAwsSdk: false,
  });
  bundled = new ProvisioFunction(stack, 'Bundled', { entry });
  onDemand = new ProvisioFunction(stack, 'OnDemand', { entry: onDemandEntry });
  assemblyDir = app.synth().directory;
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

/** The directory esbuild wrote a function's bundle to. */
function bundleDir(fn: ProvisioFunction): string {
  const resource = template.toJSON().Resources[
    stack.getLogicalId(fn.function.node.defaultChild as CfnElement)
  ] as { Properties: { Code: { S3Key: string } } };
  return join(assemblyDir, `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
}

describe('ProvisioFunction', () => {
  it('runs Node.js 22 on arm64 with X-Ray tracing, source maps and default sizing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'SDK external',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('logs JSON lines that Lambda filters by level: application INFO, system WARN (no START/END/REPORT)', () => {
    for (const description of ['SDK external']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: description,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      });
    }
    const configs = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (r) => (r as { Properties: { LoggingConfig?: unknown } }).Properties.LoggingConfig,
    );
    expect(configs).toHaveLength(3);
    for (const c of configs) expect(c).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN' });
  });

  it('logs to its own retained log group with a retention', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ExternalLogs') } },
    });
  });

  it('has a role that may write to its log group only, with no managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as { Properties: object }).Properties).not.toHaveProperty('ManagedPolicyArns');
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExternalLogs'), 'Arn'] },
          },
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^ExternalRole') }],
    });
  });

  it('bundles a minified ES module with a linked source map and a require shim', () => {
    const dir = bundleDir(external);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(
      code.startsWith("import { createRequire as __provisioCreateRequire } from 'node:module';"),
    ).toBe(true);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(code.split('\n').length).toBeLessThan(10);
  });

  it('leaves the AWS SDK to the runtime when asked', () => {
    const code = readFileSync(join(bundleDir(external), 'index.mjs'), 'utf8');
    expect(code).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
  });

  it('bundles the AWS SDK by default, into a module Node can load and run', async () => {
    const file = join(bundleDir(bundled), 'index.mjs');
    const code = readFileSync(file, 'utf8');
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
    const mod = (await import(pathToFileURL(file).href)) as { handler: () => Promise<string> };
    await expect(mod.handler()).resolves.toBe('function');
  });

  it('puts what a handler imports with import() in a chunk of its own, read on first use', async () => {
    const dir = bundleDir(onDemand);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    // tldts (its Public Suffix List, ~130 KB) is not in the handler's file, but in a chunk.
    expect(code.length).toBeLessThan(10_000);
    expect(code).toMatch(/import\("\.\/chunks\/[\w-]+\.mjs"\)/);
    const chunks = bundleModules(dir).slice(1);
    const sizes = chunks.map((f) => statSync(join(dir, f)).size);
    expect(Math.max(...sizes)).toBeGreaterThan(100_000);
    const mod = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as {
      handler: () => Promise<string | null>;
    };
    await expect(mod.handler()).resolves.toBe('github.io');
  });
});
