/**
 * `npm run bench`: every figure of issue 7 in one run, each with its target and a pass/MISS mark.
 *
 * 1. Sign-in paths through the real trigger handler against DynamoDB Local, next to the floor
 *    measured in the same run (bench/paths.ts): round trips, request units, p50/p99, ratio.
 * 2. Bundles as `cdk synth` builds them, with the AWS SDK external and bundled (bench/bundles.ts).
 * 3. Cold start: import time of each bundle in a fresh process against its own floor, a bare
 *    handler with the same AWS SDK clients (bench/cold-start.ts, bench/floors.ts).
 * 4. Cost per million sign-ins of each path (bench/cost.ts), from the figures of 1 and the
 *    memory the construct configures.
 *
 * Prints Markdown tables (docs/performance.md quotes one run) and writes bench/results.json.
 * Figures, not tests: the machine is shared and noisy, so the marks say how this run went.
 * BENCH_ITERATIONS (default 200) and BENCH_COLD_RUNS (default `COLD_RUNS`) trade time for
 * precision. `BENCH_ONLY=cold-start` (`npm run bench:cold`) builds the bundles and measures
 * cold starts only, writing bench/results-cold-start.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { FunctionId } from '../functions/registry.ts';
import { FUNCTION_LOGGING } from '../infra/constructs/logging.ts';
import { BUNDLE_AWS_SDK_BY_DEFAULT } from '../infra/constructs/provisio-function.ts';
import { BULK_ROWS, measureBulkInvitations } from './bulk-invitations.ts';
import { type BuiltBundles, buildBundles } from './bundles.ts';
import { type ColdStart, measureColdStarts } from './cold-start.ts';
import { costPerMillion, PRICES } from './cost.ts';
import { startBenchDynamoDb } from './dynamodb.ts';
import { measurePaths } from './paths.ts';
import { measurePreAuth } from './pre-auth.ts';
import { measurePreToken } from './pre-token.ts';
import { measureScim } from './scim.ts';
import type { VersusFloor } from './versus-floor.ts';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const WARMUP = 30;
/** Bulk invitations measured (after one warm-up): each writes 6,000 items, handler and floor alike. */
const BULK_ITERATIONS = Number(process.env.BENCH_BULK_ITERATIONS ?? 3);
/**
 * Rounds of cold starts (each: every function and its floor, both SDK modes, in fresh processes).
 * Chosen so that two runs of the same tree on one machine agree within 0.05 on every ratio
 * (docs/performance.md, "Bundles and cold start").
 */
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 25);
/** `cold-start`: only the bundles and their cold starts. */
const ONLY = process.env.BENCH_ONLY;

/** Issue 7's targets. */
const TARGETS = {
  ratio: 1.25,
  signInBundleBytes: 200 * 1024,
  importRatio: 1.3,
  /**
   * SPEC §13 bulk invitation of 1,000 rows against the same requests raw: what Provisio adds
   * (CSV, checks, items) may cost at most a tenth more than DynamoDB's own time.
   */
  bulkInviteRatio: 1.1,
  /** USD per million sign-ins of a returning member, with the construct's logging settings. */
  returningMemberUsd: 0.5,
} as const;

const mark = (pass: boolean) => (pass ? 'pass' : 'MISS');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const usd = (x: number) => `$${x.toFixed(2)}`;

/** A Markdown table with its columns padded, readable in a terminal and pasteable in docs. */
function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c]!)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

const round = (x: number) => Math.round(x * 100) / 100;
const machineOf = () => {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()} ${arch()}, Node ${process.version}`;
};

const bundleOfIn = (
  built: BuiltBundles,
  name: string,
  sdk: 'external' | 'bundled',
  floor = false,
) => built.bundles.find((b) => b.name === name && b.sdk === sdk && b.floor === floor)!;

/** A floor's SDK, short: `client-dynamodb + lib-dynamodb; client-secrets-manager on first use`. */
function floorSdk(built: BuiltBundles, name: FunctionId): string {
  const use = built.sdkUse[name];
  const short = (names: readonly string[]) =>
    names.map((n) => n.replace('@aws-sdk/', '')).join(' + ');
  return [
    short(use.atInit.map((p) => p.name)),
    ...(use.onFirstUse.length ? [`${short(use.onFirstUse.map((p) => p.name))} on first use`] : []),
  ].join('; ');
}

/**
 * The cold-start part of the report: each function against its own floor in both SDK modes,
 * the check of the mode the construct deploys (`BUNDLE_AWS_SDK_BY_DEFAULT`) and the tables.
 */
function coldStartReport(built: BuiltBundles, measured: readonly ColdStart[]) {
  const deployed = BUNDLE_AWS_SDK_BY_DEFAULT ? 'bundled' : 'external';
  const of = (name: FunctionId, sdk: 'external' | 'bundled') =>
    measured.find((c) => c.name === name && c.sdk === sdk)!;
  const functions = Object.keys(built.sdkUse) as FunctionId[];
  const bundles = functions.map((f) => ({
    function: f,
    bytes: bundleOfIn(built, f, 'external').bytes,
    bytesWithSdk: bundleOfIn(built, f, 'bundled').bytes,
    floorBytes: bundleOfIn(built, f, 'external', true).bytes,
    floorBytesWithSdk: bundleOfIn(built, f, 'bundled', true).bytes,
  }));
  const rows = functions.map((f) => {
    const figures = (c: ColdStart) => ({
      importMs: round(c.importMs),
      floorMs: round(c.floorMs),
      wallRatio: round(c.wallRatio),
      importCpuMs: round(c.importCpuMs),
      floorCpuMs: round(c.floorCpuMs),
      ratio: round(c.ratio),
      ratioQuartiles: c.ratioQuartiles.map(round),
    });
    return {
      function: f,
      floorSdk: built.sdkUse[f],
      sdkExternal: figures(of(f, 'external')),
      sdkBundled: figures(of(f, 'bundled')),
      deployed,
    };
  });
  // The ratio of each function as the construct deploys it; the other way is in the table.
  const checks = rows.map((r) => {
    const c = BUNDLE_AWS_SDK_BY_DEFAULT ? r.sdkBundled : r.sdkExternal;
    return {
      figure: `${r.function}: import CPU time / its floor's (SDK ${deployed}, as deployed)`,
      measured: `${c.ratio.toFixed(2)} (${c.importCpuMs.toFixed(1)} / ${c.floorCpuMs.toFixed(1)} ms)`,
      target: `≤ ${TARGETS.importRatio}`,
      pass: c.ratio <= TARGETS.importRatio,
    };
  });
  const coldTable = (sdk: 'external' | 'bundled') =>
    table(
      [
        'function',
        `bytes, SDK ${sdk}`,
        'floor bytes',
        'import ms',
        'floor ms',
        'wall ratio',
        'import CPU ms',
        'floor CPU ms',
        'ratio (CPU)',
        'quartiles',
      ],
      rows.map((r) => {
        const c = sdk === 'bundled' ? r.sdkBundled : r.sdkExternal;
        return [
          r.function,
          kb(bundleOfIn(built, r.function, sdk).bytes),
          kb(bundleOfIn(built, r.function, sdk, true).bytes),
          c.importMs.toFixed(1),
          c.floorMs.toFixed(1),
          c.wallRatio.toFixed(2),
          c.importCpuMs.toFixed(1),
          c.floorCpuMs.toFixed(1),
          c.ratio.toFixed(2),
          c.ratioQuartiles.map((q) => q.toFixed(2)).join('–'),
        ];
      }),
    );
  const tables = [
    `\nCold start: import in a fresh node against the function's floor (its AWS SDK clients only),`,
    `${COLD_RUNS} rounds alternating function and floor; ms are medians, ratios the median of the`,
    `per-round ratios. SDK bundled${deployed === 'bundled' ? ' (as deployed)' : ''}:\n`,
    coldTable('bundled'),
    `\nSDK external${deployed === 'external' ? ' (as deployed)' : ''}:\n`,
    coldTable('external'),
    "\nThe floors (bench/floors.ts, from each bundle's metafile)\n",
    table(
      ['function', 'AWS SDK imported', 'clients built at init'],
      functions.map((f) => [
        f,
        floorSdk(built, f),
        built.sdkUse[f].atInit.flatMap((p) => p.clients).join(', '),
      ]),
    ),
  ].join('\n');
  return { bundles, rows, checks, tables };
}

/** Prints each cold-start round as it ends. */
const progress = (round: number) =>
  process.stdout.write(round < COLD_RUNS ? `${round} ` : `${round}\n`);

/** `BENCH_ONLY=cold-start`: the bundles and their cold starts, nothing else (about a minute or two). */
async function coldStartOnly(): Promise<void> {
  const started = performance.now();
  const assemblyDir = await mkdtemp(join(tmpdir(), 'provisio-bench-'));
  try {
    console.log('Building the bundles and their floors with CDK (esbuild)…');
    const built = buildBundles(join(assemblyDir, 'cdk.out'));
    console.log(`Measuring cold starts (${COLD_RUNS} rounds)…`);
    const cold = coldStartReport(
      built,
      await measureColdStarts(built.bundles, COLD_RUNS, progress),
    );
    const machine = machineOf();
    console.log(`\nMachine: ${machine}`);
    console.log(cold.tables);
    console.log('\nTargets\n');
    console.log(
      table(
        ['figure', 'measured', 'target', ''],
        cold.checks.map((c) => [c.figure, c.measured, c.target, mark(c.pass)]),
      ),
    );
    await writeFile(
      new URL('./results-cold-start.json', import.meta.url),
      `${JSON.stringify(
        {
          machine,
          coldStartRounds: COLD_RUNS,
          bundles: cold.bundles,
          coldStart: cold.rows,
          checks: cold.checks,
        },
        null,
        2,
      )}\n`,
    );
    const passed = cold.checks.filter((c) => c.pass).length;
    console.log(
      `\n${passed}/${cold.checks.length} targets met. Written to bench/results-cold-start.json in ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    );
  } finally {
    await rm(assemblyDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const assemblyDir = await mkdtemp(join(tmpdir(), 'provisio-bench-'));
  try {
    console.log('Starting DynamoDB Local and building the bundles with CDK (esbuild)…');
    const dynamoStarting = startBenchDynamoDb();
    // Synchronous: the JVM starts meanwhile in its own process.
    const built = buildBundles(join(assemblyDir, 'cdk.out'));
    const dynamo = await dynamoStarting;
    console.log(
      `Measuring the sign-in paths (${ITERATIONS} sign-ins each after ${WARMUP} warm-up)…`,
    );
    let paths: Awaited<ReturnType<typeof measurePaths>>;
    const handlers: VersusFloor[] = [];
    /** Reported against their floors, without a target (bench/scim.ts). */
    const scim: VersusFloor[] = [];
    /** SPEC §13: a bulk invitation of 1,000 rows against the same requests raw (its target below). */
    let bulk: VersusFloor | undefined;
    let bulkFailure: string | undefined;
    try {
      const options = { iterations: ITERATIONS, warmup: WARMUP, tableName: 'provisio-bench' };
      paths = await measurePaths(dynamo.endpoint, options);
      console.log('Measuring the pre-token trigger against its floor…');
      handlers.push(...(await measurePreToken(dynamo.endpoint, options)));
      console.log('Measuring the pre-auth trigger (SSO enforcement) against its floor…');
      const preAuth = await measurePreAuth(dynamo.endpoint, options);
      handlers.push(preAuth.notEnforced, preAuth.refused);
      console.log('Measuring SCIM create, read and a 1,000-add group PATCH against their floors…');
      scim.push(...(await measureScim(dynamo.endpoint, options)));
    } finally {
      await dynamo.stop();
    }
    console.log(
      `Measuring a bulk invitation of ${BULK_ROWS.toLocaleString('en')} rows against the same requests raw…`,
    );
    // Each call writes 6,000 items: a few calls, as for the SCIM group PATCH. On a DynamoDB Local
    // of its own: after the measurements above, the same JVM took 21 s over a call that takes
    // 4 s on a fresh one, handler and floor alike. A failure is reported as a failed target,
    // after every other figure.
    const bulkDynamo = await startBenchDynamoDb();
    try {
      bulk = await measureBulkInvitations(bulkDynamo.endpoint, {
        iterations: BULK_ITERATIONS,
        warmup: 1,
        tableName: 'provisio-bench',
      });
    } catch (error) {
      bulkFailure = (error as Error).message;
    } finally {
      await bulkDynamo.stop();
    }
    // With the JVM gone, so that it does not compete with the fresh processes.
    console.log(`Measuring cold starts (${COLD_RUNS} rounds of each function and its floor)…`);
    const cold = coldStartReport(
      built,
      await measureColdStarts(built.bundles, COLD_RUNS, progress),
    );

    const machine = `${machineOf()}, DynamoDB Local (in memory)`;

    const bundleOf = (name: string, sdk: 'external' | 'bundled') => bundleOfIn(built, name, sdk);
    const costs = paths.map((p) => {
      const cost = costPerMillion({
        signInMeanMs: p.meanMs,
        signInMemoryMb: built.memoryMb.signIn,
        readUnits: p.readUnits + p.notifier.readUnits,
        writeUnits: p.writeUnits + p.notifier.writeUnits,
        notifierInvocations: p.notifier.invocations,
        notifierMeanMs: p.notifier.meanMs,
        notifierMemoryMb: built.memoryMb.notifier,
        mails: p.notifier.mails,
        logBytes: p.logBytes + p.notifier.logBytes,
      });
      return { path: p.name, usd: round(cost.total), breakdown: cost };
    });

    const checks: { figure: string; measured: string; target: string; pass: boolean }[] = [];
    for (const p of paths) {
      checks.push({
        figure: `${p.name}: round trips`,
        measured: `${p.readRoundTrips} read + ${p.writes} write`,
        target: p.target.text,
        pass:
          p.roundTrips <= p.target.roundTrips &&
          p.readRoundTrips <= p.target.reads &&
          p.writes <= p.target.writes,
      });
      checks.push({
        figure: `${p.name}: p50 / floor p50`,
        measured: `${p.ratio}`,
        target: `≤ ${TARGETS.ratio}`,
        pass: p.ratio <= TARGETS.ratio,
      });
    }
    for (const h of handlers) {
      checks.push({
        figure: `${h.name}: p50 / floor p50`,
        measured: `${h.ratio}`,
        target: `≤ ${TARGETS.ratio}`,
        pass: h.ratio <= TARGETS.ratio,
      });
    }
    const returning = costs.find((c) => c.path === 'returning member');
    if (returning) {
      checks.push({
        figure: `returning member: USD per million sign-ins (logs ${FUNCTION_LOGGING.format}, app ${FUNCTION_LOGGING.applicationLogLevel}, system ${FUNCTION_LOGGING.systemLogLevel})`,
        measured: usd(returning.breakdown.total),
        target: `≤ ${usd(TARGETS.returningMemberUsd)}`,
        pass: returning.breakdown.total <= TARGETS.returningMemberUsd,
      });
    }
    if (bulkFailure) {
      checks.push({
        figure: `bulk invitation (${BULK_ROWS.toLocaleString('en')} CSV rows): p50 / floor p50`,
        measured: `failed: ${bulkFailure.slice(0, 120)}`,
        target: `≤ ${TARGETS.bulkInviteRatio}`,
        pass: false,
      });
    }
    if (bulk) {
      checks.push({
        figure: `${bulk.name}: p50 / floor p50`,
        measured: `${bulk.ratio}`,
        target: `≤ ${TARGETS.bulkInviteRatio}`,
        pass: bulk.ratio <= TARGETS.bulkInviteRatio,
      });
    }
    checks.push({
      figure: 'sign-in bundle, SDK external',
      measured: kb(bundleOf('signIn', 'external').bytes),
      target: `≤ ${kb(TARGETS.signInBundleBytes)}`,
      pass: bundleOf('signIn', 'external').bytes <= TARGETS.signInBundleBytes,
    });
    checks.push(...cold.checks);

    console.log(`\nMachine: ${machine}\n`);
    console.log(
      'Sign-in paths (Cognito trigger handler; units per sign-in, billed by DynamoDB rules)\n',
    );
    console.log(
      table(
        [
          'path',
          'round trips',
          'requests',
          'transaction items',
          'RRU',
          'WRU',
          'Local reports (R/W)',
          'p50 ms',
          'p99 ms',
          'floor',
          'floor p50 ms',
          'ratio',
          'same requests bare, p50 ms',
          'code p50 ms',
        ],
        paths.map((p) => [
          p.name,
          `${p.roundTrips} (${p.readRoundTrips}R + ${p.writes}W)`,
          p.requests,
          p.transactItems,
          p.readUnits,
          p.writeUnits,
          `${p.reportedReadUnits} / ${p.reportedWriteUnits}`,
          p.p50Ms,
          p.p99Ms,
          p.floor,
          p.floorP50Ms,
          p.ratio,
          p.bareP50Ms,
          p.codeP50Ms,
        ]),
      ),
    );
    console.log('\nOther handlers against their floor (same run, alternating turns)\n');
    console.log(
      table(
        ['handler', 'p50 ms', 'p99 ms', 'floor', 'floor p50 ms', 'ratio'],
        [...handlers, ...scim, ...(bulk ? [bulk] : [])].map((h) => [
          h.name,
          h.p50Ms,
          h.p99Ms,
          h.floor,
          h.floorP50Ms,
          h.ratio,
        ]),
      ),
    );
    console.log(cold.tables);
    console.log(
      `\nCost per million sign-ins (USD, ${PRICES.region} list prices of ${PRICES.asOf}; sign-in at ${built.memoryMb.signIn} MB and notifier at ${built.memoryMb.notifier} MB, arm64)\n`,
    );
    console.log(
      table(
        [
          'path',
          'sign-in ms (mean)',
          'mails',
          'notifier runs',
          'RRU',
          'WRU',
          'Lambda',
          'DynamoDB',
          'SES',
          'Logs',
          'total',
        ],
        paths.map((p, i) => {
          const c = costs[i]!.breakdown;
          return [
            p.name,
            p.meanMs,
            p.notifier.mails,
            p.notifier.invocations,
            round(p.readUnits + p.notifier.readUnits),
            round(p.writeUnits + p.notifier.writeUnits),
            usd(c.lambda),
            usd(c.dynamoDb),
            usd(c.ses),
            usd(c.logs),
            usd(c.total),
          ];
        }),
      ),
    );
    console.log('\nPrices used\n');
    console.log(
      table(
        ['item', 'USD'],
        [
          ['Lambda arm64, per GB-second', PRICES.lambdaArmPerGbSecond],
          ['Lambda, per million requests', PRICES.lambdaPerMillionRequests],
          [
            'DynamoDB on-demand, per million write request units',
            PRICES.dynamoDbPerMillionWriteUnits,
          ],
          [
            'DynamoDB on-demand, per million read request units',
            PRICES.dynamoDbPerMillionReadUnits,
          ],
          ['SES, per 1,000 mails', PRICES.sesPerThousandMails],
          ['CloudWatch Logs ingestion, per GB', PRICES.cloudWatchLogsPerGb],
        ],
      ),
    );
    console.log('\nTargets (issue 7)\n');
    console.log(
      table(
        ['figure', 'measured', 'target', ''],
        checks.map((c) => [c.figure, c.measured, c.target, mark(c.pass)]),
      ),
    );

    const results = {
      machine,
      iterations: ITERATIONS,
      paths: paths.map((p) => ({
        name: p.name,
        roundTrips: p.roundTrips,
        writes: p.writes,
        p50Ms: p.p50Ms,
        p99Ms: p.p99Ms,
        floorP50Ms: p.floorP50Ms,
        ratio: p.ratio,
        readRoundTrips: p.readRoundTrips,
        requests: p.requests,
        transactItems: p.transactItems,
        meanMs: p.meanMs,
        floor: p.floor,
        bareP50Ms: p.bareP50Ms,
        codeP50Ms: p.codeP50Ms,
        capacity: { read: p.readUnits, write: p.writeUnits },
        capacityReportedByDynamoDbLocal: { read: p.reportedReadUnits, write: p.reportedWriteUnits },
        notifier: p.notifier,
        logBytes: p.logBytes,
      })),
      handlers,
      scim,
      bulkInvitations: bulk,
      bundles: cold.bundles,
      coldStartRounds: COLD_RUNS,
      coldStart: cold.rows,
      costPerMillion: costs,
      memoryMb: built.memoryMb,
      prices: PRICES,
      checks,
    };
    await writeFile(
      new URL('./results.json', import.meta.url),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    const passed = checks.filter((c) => c.pass).length;
    console.log(
      `\n${passed}/${checks.length} targets met. Written to bench/results.json in ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    );
  } finally {
    await rm(assemblyDir, { recursive: true, force: true });
  }
}

if (ONLY && ONLY !== 'cold-start') throw new Error(`BENCH_ONLY=${ONLY}: only cold-start is known`);
await (ONLY === 'cold-start' ? coldStartOnly() : main());
