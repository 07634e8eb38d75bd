/**
 * `npm run load`: 2,000 sign-ins across 50 orgs, 20 at a time, through the Lambda Invoke API of
 * a local stack this script starts (free loopback ports, a temporary data directory), then the
 * checks: no unexpected error, no org over its seat limit, every counter equal to its items.
 * Exits non-zero when a check fails. LOAD_SIGN_INS, LOAD_ORGS and LOAD_CONCURRENCY change the size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { freePorts } from '../local/processes.ts';
import { localClientConfig } from '../local/sdk.ts';
import { startLocalStack } from '../local/stack.ts';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { runLoad } from './load-run.ts';

const SIGN_INS = Number(process.env.LOAD_SIGN_INS ?? 2000);
const ORGS = Number(process.env.LOAD_ORGS ?? 50);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 20);
const TIME_LIMIT_MS = 4 * 60 * 1000;

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = await mkdtemp(join(tmpdir(), 'provisio-load-'));
  const [api, dynamodb, ses, cognito] = await freePorts(4);
  console.log('Starting a local stack on free ports…');
  const stack = await startLocalStack({
    dataDir,
    fresh: true,
    quiet: true,
    ports: { api: api!, dynamodb: dynamodb!, ses: ses!, cognito: cognito! },
    log: () => {},
  });
  const lambda = new LambdaClient({
    ...localClientConfig(stack.config.lambdaEndpoint),
    // Every invocation counts once: a retried sign-in would hide a failure.
    maxAttempts: 1,
  });
  const db = createDynamoClient(
    { region: 'us-east-1', dynamodbEndpoint: stack.config.dynamodb.endpoint },
    { requestTimeoutMs: 5000, maxAttempts: 3 },
  );
  try {
    console.log(
      `${SIGN_INS} sign-ins across ${ORGS} orgs, ${CONCURRENCY} at a time, through ${stack.config.lambdaEndpoint}…`,
    );
    const r = await runLoad({
      lambda,
      db,
      tableName: stack.config.dynamodb.tableName,
      signIns: SIGN_INS,
      orgs: ORGS,
      concurrency: CONCURRENCY,
      timeLimitMs: TIME_LIMIT_MS,
      functionLog: join(dataDir, 'logs', 'functions.log'),
    });
    const checks = [
      {
        check: 'every sign-in run within the time limit',
        pass: r.notStarted === 0,
        detail: `${r.notStarted} not started`,
      },
      {
        check: 'no unexpected error',
        pass: r.unexpected.length === 0,
        detail: `${r.unexpected.length}`,
      },
      {
        check: 'no org over its seat limit, counters equal member, invitation and team items',
        pass: r.audit.problems.length === 0,
        detail: r.audit.problems.slice(0, 5).join('; ') || `${r.audit.orgs.length} orgs audited`,
      },
    ];
    console.table({
      'sign-ins': r.signIns,
      allowed: r.allowed,
      'refused, no seat (expected)': r.refusedForSeats,
      'unexpected errors': r.unexpected.length,
      'orgs that filled up': r.fullOrgs,
      'p50 ms': Math.round(r.p50Ms * 10) / 10,
      'p99 ms': Math.round(r.p99Ms * 10) / 10,
      'sign-ins per second': Math.round(r.signIns / (r.durationMs / 1000)),
      'duration s': Math.round(r.durationMs / 100) / 10,
    });
    for (const c of checks) console.log(`${c.pass ? 'pass' : 'FAIL'}  ${c.check} (${c.detail})`);
    for (const u of r.unexpected.slice(0, 10))
      console.log(`  unexpected: ${u.kind} ${u.email}: ${u.error}`);
    if (r.unexpected.some((u) => /temporarily unavailable|without a decision/.test(u.error))) {
      // The handlers' DynamoDB client gives a request 500 ms (shared/adapters/dynamodb/client.ts).
      console.log(
        `DynamoDB Local answered slower than the client's request timeout allows. Load average now ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs: is the machine busy with something else?`,
      );
    }
    return checks.every((c) => c.pass) ? 0 : 1;
  } finally {
    lambda.destroy();
    db.destroy();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
