import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { handlerEnvironment } from '../../bench/cold-start.ts';
import { functionSpecs } from '../../functions/registry.ts';
import { bundleModules, PROJECT_ROOT } from '../../infra/constructs/provisio-function.ts';

const out = mkdtempSync(join(tmpdir(), 'provisio-synth-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The environment of a machine with no AWS credentials and no configuration. */
function withoutAws(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // vitest's NODE_ENV=test would make the app synthesize as if in a unit test.
    if (!/^(AWS_|CDK_)/.test(key) && key !== 'NODE_ENV') env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: join(out, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

describe('npx cdk synth', () => {
  it('turns cdk.json’s app into a template offline, with no AWS credentials', () => {
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', out], {
      cwd: PROJECT_ROOT,
      env: withoutAws(),
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);

    const template = JSON.parse(readFileSync(join(out, 'Provisio.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toContain('AWS::DynamoDB::Table');
    // The registry's functions and the admin console's (infra/constructs/console.ts).
    const functions = Object.keys(functionSpecs).length + 1;
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(functions);

    // Every function was bundled by the local esbuild into an ES module.
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(functions);
    for (const asset of assets) expect(readdirSync(join(out, asset))).toContain('index.mjs');
    // The console's bundle carries the console Vite built, beside its handler.
    expect(assets.filter((a) => existsSync(join(out, a, 'site', 'index.html')))).toHaveLength(1);

    // Every module of every bundle loads in a fresh Node, with the environment a handler gets:
    // the handler's file and each chunk its import()s read on first use (code splitting).
    for (const asset of assets) {
      const modules = bundleModules(join(out, asset));
      const result = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', LOAD_MODULES, join(out, asset), ...modules],
        {
          env: { ...handlerEnvironment(), ...CONSOLE_ENVIRONMENT },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(result.status, `${asset}: ${result.stderr}`).toBe(0);
      expect(Number(result.stdout), asset).toBe(modules.length);
    }
  }, 180_000);
});

/** Run in a child: imports a bundle's modules, `index.mjs` first; prints how many it loaded. */
const LOAD_MODULES = `
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dir, index, ...chunks] = process.argv.slice(1);
const handler = await import(pathToFileURL(join(dir, index)).href);
if (typeof handler.handler !== 'function') throw new Error('no handler export');
for (const chunk of chunks) await import(pathToFileURL(join(dir, chunk)).href);
process.stdout.write(String(1 + chunks.length));
`;

/** What the console's server reads when it starts (infra/constructs/console.ts). */
const CONSOLE_ENVIRONMENT = {
  CONSOLE_COGNITO_ENDPOINT: 'http://127.0.0.1:9/',
  CONSOLE_CLIENT_ID: 'synth-test',
};
