/**
 * `npm run bench`: every figure of issue 7 in one run, each with its target and a pass/MISS mark.
 *
 * 1. Sign-in paths through the real trigger handler against DynamoDB Local, next to the floor
 *    measured in the same run (bench/paths.ts): round trips, request units, p50/p99, ratio.
 * 2. Bundles as `cdk synth` builds them, with the AWS SDK external and bundled (bench/bundles.ts).
 * 3. Cold start: import time of each bundle in a fresh process against a minimal handler
 *    (bench/cold-start.ts).
 * 4. Cost per million sign-ins of each path (bench/cost.ts), from the figures of 1 and the
 *    memory the construct configures.
 *
 * Prints Markdown tables (docs/performance.md quotes one run) and writes bench/results.json.
 * Figures, not tests: the machine is shared and noisy, so the marks say how this run went.
 * BENCH_ITERATIONS (default 200) and BENCH_COLD_RUNS (default 9) trade time for precision.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { FUNCTION_LOGGING } from '../infra/constructs/logging.ts';
import { BUNDLE_AWS_SDK_BY_DEFAULT } from '../infra/constructs/provisio-function.ts';
import { buildBundles } from './bundles.ts';
import { measureImports } from './cold-start.ts';
import { costPerMillion, PRICES } from './cost.ts';
import { startBenchDynamoDb } from './dynamodb.ts';
import { measurePaths } from './paths.ts';
import { measurePreToken } from './pre-token.ts';
import { measureScim } from './scim.ts';
import type { VersusFloor } from './versus-floor.ts';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const WARMUP = 30;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 9);

/** Issue 7's targets. */
const TARGETS = {
  ratio: 1.25,
  signInBundleBytes: 200 * 1024,
  importRatio: 1.3,
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
    try {
      const options = { iterations: ITERATIONS, warmup: WARMUP, tableName: 'provisio-bench' };
      paths = await measurePaths(dynamo.endpoint, options);
      console.log('Measuring the pre-token trigger against its floor…');
      handlers.push(await measurePreToken(dynamo.endpoint, options));
      console.log('Measuring SCIM create, read and a 1,000-add group PATCH against their floors…');
      scim.push(...(await measureScim(dynamo.endpoint, options)));
    } finally {
      await dynamo.stop();
    }
    // With the JVM gone, so that it does not compete with the fresh processes.
    console.log(`Measuring cold starts (${COLD_RUNS} rounds, median)…`);
    const imports = await measureImports(built.bundles, COLD_RUNS);

    const cpu = cpus();
    const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()} ${arch()}, Node ${process.version}, DynamoDB Local (in memory)`;

    const functions = [...new Set(built.bundles.map((b) => b.name))].filter(
      (n) => n !== 'baseline',
    );
    const bundleOf = (name: string, sdk: 'external' | 'bundled') =>
      built.bundles.find((b) => b.name === name && b.sdk === sdk)!;
    const importOf = (name: string, sdk: 'external' | 'bundled') => imports.get(`${name}/${sdk}`)!;
    const round = (x: number) => Math.round(x * 100) / 100;
    const bundles = functions.map((f) => ({
      function: f,
      bytes: bundleOf(f, 'external').bytes,
      bytesWithSdk: bundleOf(f, 'bundled').bytes,
    }));
    const coldStart = functions.map((f) => ({
      function: f,
      importMs: round(importOf(f, 'external')),
      baselineMs: round(importOf('baseline', 'external')),
      ratio: round(importOf(f, 'external') / importOf('baseline', 'external')),
      importMsWithSdk: round(importOf(f, 'bundled')),
      baselineMsWithSdk: round(importOf('baseline', 'bundled')),
      ratioWithSdk: round(importOf(f, 'bundled') / importOf('baseline', 'bundled')),
    }));
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
        measured: `${p.readRoundTrips} read + ${p.writes} transaction`,
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
    checks.push({
      figure: 'sign-in bundle, SDK external',
      measured: kb(bundleOf('signIn', 'external').bytes),
      target: `≤ ${kb(TARGETS.signInBundleBytes)}`,
      pass: bundleOf('signIn', 'external').bytes <= TARGETS.signInBundleBytes,
    });
    // The ratio of each function as the construct deploys it; the other way is in the table.
    const deployed = BUNDLE_AWS_SDK_BY_DEFAULT ? 'bundled' : 'external';
    for (const c of coldStart) {
      const ratio = BUNDLE_AWS_SDK_BY_DEFAULT ? c.ratioWithSdk : c.ratio;
      checks.push({
        figure: `${c.function}: import / baseline (SDK ${deployed}, as deployed)`,
        measured: `${ratio}`,
        target: `≤ ${TARGETS.importRatio}`,
        pass: ratio <= TARGETS.importRatio,
      });
    }

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
        [...handlers, ...scim].map((h) => [
          h.name,
          h.p50Ms,
          h.p99Ms,
          h.floor,
          h.floorP50Ms,
          h.ratio,
        ]),
      ),
    );
    console.log('\nBundles (minified index.mjs) and cold start (import in a fresh node, median)\n');
    console.log(
      table(
        [
          'function',
          'bytes, SDK external',
          'bytes, SDK bundled',
          'import ms, external',
          'ratio',
          'import ms, bundled',
          'ratio',
        ],
        [
          ...coldStart.map((c) => [
            c.function,
            kb(bundleOf(c.function, 'external').bytes),
            kb(bundleOf(c.function, 'bundled').bytes),
            c.importMs.toFixed(1),
            c.ratio,
            c.importMsWithSdk.toFixed(1),
            c.ratioWithSdk,
          ]),
          [
            'baseline (client-dynamodb only)',
            kb(bundleOf('baseline', 'external').bytes),
            kb(bundleOf('baseline', 'bundled').bytes),
            importOf('baseline', 'external').toFixed(1),
            1,
            importOf('baseline', 'bundled').toFixed(1),
            1,
          ],
        ],
      ),
    );
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
      bundles,
      coldStart: coldStart.map((c) => ({ ...c, deployed })),
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

await main();
