/**
 * The cold-start floors of `npm run bench` (bench/floors.ts): what of the AWS SDK each function
 * imports is read from its bundle's metafile, and the floor imports that and nothing of Provisio.
 * No timing here: the figures are the bench's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { floorSources, packageOf, type SdkUse, sdkUseOf } from '../../../bench/floors.ts';
import { functionSpecs } from '../../../functions/registry.ts';
import { bundleHandler, PROJECT_ROOT } from '../../../infra/constructs/provisio-function.ts';

const input = (imports: Metafile['inputs'][string]['imports']) => ({ bytes: 1, imports });
const sdk = (name: string) => `node_modules/@aws-sdk/${name}/dist-es/index.js`;

/**
 * A handler that builds DynamoDB and SES clients and loads Secrets Manager and Cognito lazily
 * (Cognito's client in a chunk of its own, as code splitting puts it).
 */
const metafile: Metafile = {
  inputs: {
    'functions/x/handler.ts': input([
      { path: 'shared/db.ts', kind: 'import-statement' },
      { path: 'shared/lazy.ts', kind: 'dynamic-import' },
      {
        path: sdk('client-cognito-identity-provider'),
        kind: 'dynamic-import',
        original: '@aws-sdk/client-cognito-identity-provider',
      },
    ]),
    'shared/db.ts': input([
      {
        path: sdk('client-dynamodb'),
        kind: 'import-statement',
        original: '@aws-sdk/client-dynamodb',
      },
      { path: sdk('client-sesv2'), kind: 'import-statement', original: '@aws-sdk/client-sesv2' },
    ]),
    'shared/lazy.ts': input([
      {
        path: 'node_modules/@aws-lambda-powertools/parameters/lib/esm/secrets/index.js',
        kind: 'import-statement',
      },
    ]),
    'node_modules/@aws-lambda-powertools/parameters/lib/esm/secrets/index.js': input([
      { path: sdk('client-secrets-manager'), kind: 'import-statement' },
    ]),
    // The SDK's own imports are not the function's.
    [sdk('client-dynamodb')]: input([{ path: sdk('core'), kind: 'import-statement' }]),
    [sdk('client-sesv2')]: input([]),
    [sdk('client-secrets-manager')]: input([]),
    [sdk('client-cognito-identity-provider')]: input([]),
    [sdk('core')]: input([]),
  },
  outputs: {
    'out/chunks/dist-es-X.mjs': {
      bytes: 1,
      entryPoint: sdk('client-cognito-identity-provider'),
      imports: [],
      exports: [],
      inputs: {
        'node_modules/@aws-sdk/client-cognito-identity-provider/dist-es/CognitoIdentityProviderClient.js':
          { bytesInOutput: 1 },
      },
    },
    'out/index.mjs': {
      bytes: 1,
      entryPoint: 'functions/x/handler.ts',
      imports: [],
      exports: ['handler'],
      inputs: Object.fromEntries(
        [
          'functions/x/handler.ts',
          'node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js',
          'node_modules/@aws-sdk/client-dynamodb/dist-es/commands/GetItemCommand.js',
          'node_modules/@aws-sdk/client-sesv2/dist-es/SESv2Client.js',
          'node_modules/@aws-sdk/client-sesv2/dist-es/commands/SendEmailCommand.js',
          'node_modules/@aws-sdk/client-secrets-manager/dist-es/SecretsManagerClient.js',
        ].map((p) => [p, { bytesInOutput: 1 }]),
      ),
    },
  },
};

describe('sdkUseOf', () => {
  it('sorts the SDK packages by when a cold start pays for them', () => {
    expect(sdkUseOf(metafile)).toEqual({
      atInit: [
        {
          name: '@aws-sdk/client-dynamodb',
          clients: ['DynamoDBClient'],
          commands: ['GetItemCommand'],
        },
        { name: '@aws-sdk/client-sesv2', clients: ['SESv2Client'], commands: ['SendEmailCommand'] },
      ],
      onFirstUse: [
        {
          name: '@aws-sdk/client-cognito-identity-provider',
          clients: ['CognitoIdentityProviderClient'],
          commands: [],
        },
        {
          name: '@aws-sdk/client-secrets-manager',
          clients: ['SecretsManagerClient'],
          commands: [],
        },
      ],
    } satisfies SdkUse);
  });

  it('names the package of a bundled file, scoped or not, nested or not', () => {
    expect(packageOf('node_modules/@aws-sdk/lib-dynamodb/dist-es/index.js')).toBe(
      '@aws-sdk/lib-dynamodb',
    );
    expect(packageOf('node_modules/a/node_modules/tslib/tslib.es6.mjs')).toBe('tslib');
    expect(packageOf('shared/config.ts')).toBeUndefined();
  });
});

describe('floorSources', () => {
  const use: SdkUse = {
    atInit: [
      { name: '@aws-sdk/client-dynamodb', clients: ['DynamoDBClient'], commands: ['QueryCommand'] },
      {
        name: '@aws-sdk/lib-dynamodb',
        clients: ['DynamoDBDocumentClient'],
        commands: ['QueryCommand'],
      },
      { name: '@aws-sdk/util-dynamodb', clients: [], commands: [] },
    ],
    onFirstUse: [
      { name: '@aws-sdk/client-secrets-manager', clients: ['SecretsManagerClient'], commands: [] },
    ],
  };
  const sources = floorSources('x', use);

  it('builds the clients at module scope, the document client over the DynamoDB one', () => {
    const index = sources['index.mjs']!;
    expect(index).toMatch(/const client0 = new p0_DynamoDBClient\(/);
    expect(index).toMatch(/const client1 = p1_DynamoDBDocumentClient\.from\(client0, /);
    // Both packages' QueryCommand, each under its own name.
    expect(index).toContain('QueryCommand as p0_QueryCommand');
    expect(index).toContain('QueryCommand as p1_QueryCommand');
    expect(index).toContain("import * as p2 from '@aws-sdk/util-dynamodb';");
    expect(index).toContain("() => import('./first-use.mjs')");
    expect(sources['first-use.mjs']).toContain(
      "export { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    );
  });

  it('imports the AWS SDK and nothing else', () => {
    const specifiers = Object.values(sources).flatMap((s) =>
      [...s.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!),
    );
    expect(specifiers.filter((s) => !s.startsWith('@aws-sdk/'))).toEqual(['./first-use.mjs']);
  });
});

describe("the floors of Provisio's functions", () => {
  /** The function's metafile, built by `ProvisioFunction`'s bundler with the SDK bundled. */
  function metafileOf(entry: string): Metafile {
    const dir = mkdtempSync(join(tmpdir(), 'provisio-floor-'));
    try {
      bundleHandler(dir, { entry: join(PROJECT_ROOT, entry), bundleAwsSdk: true, metafile: true });
      return JSON.parse(readFileSync(join(dir, 'index.meta.json'), 'utf8')) as Metafile;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('every function builds a DynamoDB document client at cold start', async () => {
    for (const spec of Object.values(functionSpecs)) {
      const use = sdkUseOf(metafileOf(spec.entry));
      expect(
        use.atInit.flatMap((p) => p.clients),
        spec.entry,
      ).toEqual(expect.arrayContaining(['DynamoDBClient', 'DynamoDBDocumentClient']));
    }
  }, 60_000);

  it("the notifier's floor has SES at cold start; the hook's, Secrets Manager on first use", async () => {
    const notifier = sdkUseOf(metafileOf(functionSpecs.notifier.entry));
    expect(notifier.atInit.flatMap((p) => p.clients)).toContain('SESv2Client');
    const hook = sdkUseOf(metafileOf(functionSpecs.signInHook.entry));
    expect(hook.onFirstUse.map((p) => p.name)).toContain('@aws-sdk/client-secrets-manager');
    expect(hook.atInit.map((p) => p.name)).not.toContain('@aws-sdk/client-secrets-manager');
  }, 60_000);
});
