/**
 * `npm run bench`: the sign-in paths against DynamoDB Local, next to the floor measured in the
 * same run (the bare DynamoDB calls a path cannot avoid). Prints a table and writes
 * bench/results.json. Figures, not pass/fail tests: the machine is shared and noisy.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createSignInStore } from '../shared/adapters/dynamodb/sign-in-store.ts';
import { runSignIn } from '../shared/sign-in/run.ts';
import type { SignIn } from '../shared/sign-in/types.ts';
import { createSignInFixture } from '../test/support/sign-in-fixtures.ts';
import { startBenchDynamoDb } from './dynamodb.ts';

const WARMUP = 20;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);

interface PathResult {
  name: string;
  roundTrips: number;
  requests: number;
  writes: number;
  p50Ms: number;
  p99Ms: number;
  floor: string;
  floorP50Ms: number;
  ratio: number;
  target: string;
  pass: boolean;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Drops the product's JSON log lines from the terminal while still paying for writing them. */
function quietJsonLogs(): () => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{')
      ? true
      : write(chunk, ...(rest as []))) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}

async function main(): Promise<void> {
  const restoreStdout = quietJsonLogs();
  const dynamo = await startBenchDynamoDb();
  try {
    const fx = await createSignInFixture(dynamo.endpoint);
    const store = createSignInStore(fx.db, fx.tableName);

    // The scene: an org with auto-provisioning, and a company with an SSO connection and two orgs.
    const acme = await fx.org('bench-acme');
    await fx.verifiedDomain('acme.bench', { type: 'org', id: acme.id }, { autoProvisioning: acme });
    const companyId = await fx.company('Bench Co');
    const eng = await fx.org('bench-eng', { companyId });
    await fx.org('bench-ops', { companyId });
    const conn = await fx.connection({
      providerName: 'BenchIdp',
      scope: { type: 'company', id: companyId },
      domains: ['sso.bench'],
      defaultOrg: eng,
    });
    await fx.verifiedDomain(
      'sso.bench',
      { type: 'company', id: companyId },
      { ssoConnectionIds: [conn.id] },
    );
    const closed = await fx.org('bench-closed');
    const closedConn = await fx.connection({
      providerName: 'BenchClosed',
      scope: { type: 'org', id: closed.id },
      domains: ['closed.bench'],
      defaultOrg: closed,
      jit: false,
    });
    await fx.verifiedDomain(
      'closed.bench',
      { type: 'org', id: closed.id },
      { ssoConnectionIds: [closedConn.id] },
    );

    const base = (email: string, over: Partial<SignIn> = {}): SignIn => ({
      email,
      domain: email.split('@')[1]!,
      emailVerified: true,
      name: 'Bench Person',
      connection: undefined,
      groups: [],
      ...over,
    });
    // A returning member: joined once before the measurement.
    await runSignIn(base('returning@acme.bench'), store, { entry: 'hook' });

    // The floor: one GetItem; one two-item TransactWriteItems.
    const floorGet = async () => {
      await fx.db.send(
        new GetCommand({
          TableName: fx.tableName,
          Key: { pk: 'ACCOUNT#returning@acme.bench', sk: 'ACCOUNT' },
          ConsistentRead: true,
        }),
      );
    };
    const floorGetTransact = async () => {
      await floorGet();
      const id = randomUUID();
      await fx.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: fx.tableName,
                Item: { pk: `FLOOR#${id}`, sk: 'A' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: fx.tableName,
                Item: { pk: `FLOOR#${id}`, sk: 'B' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    };
    await fx.db.send(new PutCommand({ TableName: fx.tableName, Item: { pk: 'WARM', sk: 'WARM' } }));

    const paths: {
      name: string;
      signIn: (i: number) => SignIn;
      floor: { name: string; run: () => Promise<void> };
      target: { roundTrips: number; writes: number; text: string };
    }[] = [
      {
        name: 'returning member',
        signIn: () => base('returning@acme.bench'),
        floor: { name: '1 GetItem', run: floorGet },
        target: { roundTrips: 1, writes: 0, text: '1 round trip, no write' },
      },
      {
        name: 'new member (auto-provisioning)',
        signIn: (i) => base(`new${i}-${randomUUID().slice(0, 6)}@acme.bench`),
        floor: { name: 'GetItem + 2-item TransactWrite', run: floorGetTransact },
        target: { roundTrips: 2, writes: 1, text: '≤ 2 reads + 1 transaction' },
      },
      {
        name: 'SSO JIT, two mapped groups',
        signIn: (i) =>
          base(`sso${i}-${randomUUID().slice(0, 6)}@sso.bench`, {
            connection: 'BenchIdp',
            groups: ['bench-eng:dev', 'bench-ops:oncall'],
          }),
        floor: { name: 'GetItem + 2-item TransactWrite', run: floorGetTransact },
        target: { roundTrips: 3, writes: 1, text: '≤ 2 reads + 1 transaction' },
      },
      {
        name: 'SSO JIT off, denial',
        signIn: (i) => base(`deny${i}@closed.bench`, { connection: 'BenchClosed' }),
        floor: { name: 'GetItem + 2-item TransactWrite', run: floorGetTransact },
        target: { roundTrips: 2, writes: 1, text: '1 read + 1 transaction (audit event)' },
      },
    ];

    const results: PathResult[] = [];
    for (const path of paths) {
      const times: number[] = [];
      const floorTimes: number[] = [];
      let roundTrips = 0;
      let requests = 0;
      let writes = 0;
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        // Path and floor alternate, so that both see the same machine.
        const f0 = performance.now();
        await path.floor.run();
        const f1 = performance.now();
        const before = { ...store.stats };
        const t0 = performance.now();
        const result = await runSignIn(path.signIn(i), store, { entry: 'hook' });
        const t1 = performance.now();
        if (result.kind === 'unavailable' || result.kind === 'allow-degraded')
          throw new Error(`${path.name}: the sign-in failed`);
        if (i < WARMUP) continue;
        times.push(t1 - t0);
        floorTimes.push(f1 - f0);
        roundTrips = Math.max(roundTrips, store.stats.roundTrips - before.roundTrips);
        requests = Math.max(requests, store.stats.requests - before.requests);
        writes = Math.max(writes, store.stats.transactions - before.transactions);
      }
      const p50 = quantile(times, 0.5);
      const floorP50 = quantile(floorTimes, 0.5);
      const ratio = round(p50 / floorP50);
      results.push({
        name: path.name,
        roundTrips,
        requests,
        writes,
        p50Ms: round(p50),
        p99Ms: round(quantile(times, 0.99)),
        floor: path.floor.name,
        floorP50Ms: round(floorP50),
        ratio,
        target: path.target.text,
        pass: roundTrips <= path.target.roundTrips && writes <= path.target.writes,
      });
    }

    restoreStdout();
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, DynamoDB Local`;
    console.log(
      `\nSign-in paths (${ITERATIONS} iterations each after ${WARMUP} warm-up) on ${machine}\n`,
    );
    console.table(
      results.map((r) => ({
        path: r.name,
        'round trips': r.roundTrips,
        requests: r.requests,
        transactions: r.writes,
        'p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        floor: r.floor,
        'floor p50 ms': r.floorP50Ms,
        ratio: r.ratio,
        target: r.target,
        '': r.pass ? 'pass' : 'MISS',
      })),
    );
    writeFileSync(
      new URL('./results.json', import.meta.url),
      `${JSON.stringify({ machine, paths: results }, null, 2)}\n`,
    );
    console.log('Written to bench/results.json');
    await fx.drop();
  } finally {
    await dynamo.stop();
  }
}

await main();
