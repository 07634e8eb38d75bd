/**
 * Cold start, as far as it can be measured off AWS: the time to import each bundled handler in a
 * fresh `node` process, with the environment Lambda gives it, next to its own floor — a bare
 * handler importing the same AWS SDK clients and building them the same way (bench/floors.ts).
 *
 * Each round imports every function and its floor back to back, in alternating order (function
 * first in one round, floor first in the next), so that both see the same moment of the
 * machine. The ratio is the median of the per-round ratios (a paired estimator: a slow moment
 * slows both imports of its round and cancels out), the absolute times the medians of each.
 *
 * Each import is timed twice: wall clock, and CPU time (user + system of the child process).
 * Loading a bundle from the page cache is CPU-bound, so its CPU time is the time it takes on a
 * core of its own, as a Lambda sandbox has; wall clock on a shared machine adds the time spent
 * waiting for a core, which is other processes' doing. The checked ratio is of CPU times; the
 * wall-clock ratio is reported beside it.
 *
 * An SDK-external bundle resolves `@aws-sdk/*` and `@smithy/*` from the project's node_modules,
 * standing in for the copy the Lambda runtime provides.
 */
import { spawn } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionId } from '../functions/registry.ts';
import { PROJECT_ROOT } from '../infra/constructs/provisio-function.ts';
import type { Bundle } from './bundles.ts';

/** Runs in the child: import the handler, report how long it took. */
const IMPORT_SCRIPT = `
const t0 = performance.now();
const c0 = process.cpuUsage();
const mod = await import(process.argv[1]);
const cpu = process.cpuUsage(c0);
const ms = performance.now() - t0;
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');
process.exit(0);
`;

/**
 * What every handler reads at initialisation (shared/config.ts), with nothing reachable: no
 * handler calls anything while it loads, and a stray call must fail rather than reach AWS.
 */
export function handlerEnvironment(): NodeJS.ProcessEnv {
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

/** One import: wall-clock time and CPU time (user + system, all threads of the process), ms. */
interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
}

function importOnce(bundle: Bundle): Promise<Sample> {
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
        reject(
          new Error(
            `importing ${bundle.floor ? 'the floor of ' : ''}${bundle.name} (SDK ${bundle.sdk}) failed: ${err.trim()}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(line) as Sample);
    });
  });
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** One function's cold start in one SDK mode, against its floor. */
export interface ColdStart {
  readonly name: FunctionId;
  readonly sdk: Bundle['sdk'];
  /** Median wall-clock import time of the function's bundle (ms). */
  readonly importMs: number;
  /** Median wall-clock import time of its floor's bundle (ms). */
  readonly floorMs: number;
  /** Median of the per-round ratios of wall-clock times, function / floor. */
  readonly wallRatio: number;
  /** Median CPU time of the function's import (ms). */
  readonly importCpuMs: number;
  /** Median CPU time of its floor's import (ms). */
  readonly floorCpuMs: number;
  /** Median of the per-round ratios of CPU times, function / floor: the figure checked. */
  readonly ratio: number;
  /** Quartiles of the per-round CPU-time ratios: how much the rounds disagreed. */
  readonly ratioQuartiles: readonly [number, number];
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.ceil(at)]! - s[lo]!) * (at - lo);
};

/**
 * Imports each function's bundle and its floor's (`floor: true`), per SDK mode, over `rounds`
 * rounds after one that warms the file cache and is not counted.
 */
export async function measureColdStarts(
  bundles: readonly Bundle[],
  rounds: number,
  onRound?: (round: number) => void,
): Promise<ColdStart[]> {
  // SDK-external bundles find the SDK through a link beside the bundles of each cloud assembly.
  for (const assembly of new Set(bundles.map((b) => dirname(b.dir)))) {
    const link = join(assembly, 'node_modules');
    if (!existsSync(link)) symlinkSync(join(PROJECT_ROOT, 'node_modules'), link, 'dir');
  }
  const pairs = bundles
    .filter((b) => !b.floor)
    .map((fn) => {
      const floor = bundles.find((b) => b.floor && b.name === fn.name && b.sdk === fn.sdk);
      if (!floor) throw new Error(`no floor for ${fn.name} (SDK ${fn.sdk})`);
      return { fn, floor, fnRuns: [] as Sample[], floorRuns: [] as Sample[] };
    });
  for (let round = 0; round <= rounds; round++) {
    for (const [i, pair] of pairs.entries()) {
      // Alternating between rounds, and between neighbouring pairs within a round.
      const floorFirst = (round + i) % 2 === 1;
      const first = await importOnce(floorFirst ? pair.floor : pair.fn);
      const second = await importOnce(floorFirst ? pair.fn : pair.floor);
      if (round === 0) continue;
      pair.fnRuns.push(floorFirst ? second : first);
      pair.floorRuns.push(floorFirst ? first : second);
    }
    if (round > 0) onRound?.(round);
  }
  return pairs.map(({ fn, fnRuns, floorRuns }) => {
    const ratios = fnRuns.map((r, k) => r.cpuMs / floorRuns[k]!.cpuMs);
    return {
      name: fn.name,
      sdk: fn.sdk,
      importMs: median(fnRuns.map((r) => r.ms)),
      floorMs: median(floorRuns.map((r) => r.ms)),
      wallRatio: median(fnRuns.map((r, k) => r.ms / floorRuns[k]!.ms)),
      importCpuMs: median(fnRuns.map((r) => r.cpuMs)),
      floorCpuMs: median(floorRuns.map((r) => r.cpuMs)),
      ratio: median(ratios),
      ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    };
  });
}
