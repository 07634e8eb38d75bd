/**
 * Cold start, as far as it can be measured off AWS: the time to import each bundled handler in a
 * fresh `node` process, with the environment Lambda gives it, next to the baseline handler that
 * imports only `@aws-sdk/client-dynamodb` (bench/fixtures/baseline-handler.ts). The median of
 * several rounds; the bundles take turns within a round so that they share the machine's noise.
 *
 * An SDK-external bundle resolves `@aws-sdk/*` and `@smithy/*` from the project's node_modules,
 * standing in for the copy the Lambda runtime provides.
 */
import { spawn } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../infra/constructs/provisio-function.ts';
import type { Bundle } from './bundles.ts';

/** Runs in the child: import the handler, report how long it took. */
const IMPORT_SCRIPT = `
const t0 = performance.now();
const mod = await import(process.argv[1]);
const ms = performance.now() - t0;
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms }) + '\\n');
process.exit(0);
`;

/**
 * What every handler reads at initialisation (shared/config.ts), with nothing reachable: no
 * handler calls anything while it loads, and a stray call must fail rather than reach AWS.
 */
function handlerEnvironment(): NodeJS.ProcessEnv {
  const closed = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH,
    // As CDK sets it on every function (infra/constructs/provisio-function.ts).
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAPROVISIOBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'provisio-bench',
    DYNAMODB_ENDPOINT: closed,
    SES_ENDPOINT: closed,
    SENDER_EMAIL: 'bench@example.com',
    // Set directly, so the hook does not fetch it from Secrets Manager.
    HOOK_SECRET: 'bench',
  };
}

function importOnce(bundle: Bundle): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        IMPORT_SCRIPT,
        pathToFileURL(join(bundle.dir, 'index.mjs')).href,
      ],
      { env: handlerEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) {
        reject(new Error(`importing ${bundle.name} (SDK ${bundle.sdk}) failed: ${err.trim()}`));
        return;
      }
      resolve((JSON.parse(line) as { ms: number }).ms);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Median import time (ms) of each bundle, keyed `${name}/${sdk}`. */
export async function measureImports(
  bundles: readonly Bundle[],
  rounds: number,
): Promise<Map<string, number>> {
  // The bundles sit in one cloud assembly; SDK-external ones find the SDK through this link.
  const assembly = dirname(bundles[0]!.dir);
  const link = join(assembly, 'node_modules');
  if (!existsSync(link)) symlinkSync(join(PROJECT_ROOT, 'node_modules'), link, 'dir');

  const times = new Map<string, number[]>(bundles.map((b) => [`${b.name}/${b.sdk}`, []]));
  // Round 0 warms the file cache and is not counted.
  for (let round = 0; round <= rounds; round++) {
    for (const bundle of bundles) {
      const ms = await importOnce(bundle);
      if (round > 0) times.get(`${bundle.name}/${bundle.sdk}`)!.push(ms);
    }
  }
  return new Map([...times].map(([key, xs]) => [key, median(xs)]));
}
