/**
 * The local stream event source (local/stream-poller.ts) against DynamoDB Local, with a fixture
 * handler: filtering, partial batch failures retried from the first failed record, dead letters
 * after the retries, and no replay after a restart.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createLambdaRuntime, type LambdaRuntime } from '../../local/lambda-runtime.ts';
import { isOutboxInsert } from '../../local/stack.ts';
import { type StreamPoller, startStreamPoller } from '../../local/stream-poller.ts';
import { createTableInput } from '../../shared/table/schema.ts';
import { dynamoDbClient, localStack } from '../support/local-stack.ts';

const require = createRequire(import.meta.url);
const ddb = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');

const FUNCTION = 'fixture-stream-flaky';
const dynamodb = dynamoDbClient();
let dir: string;
let tableName: string;
let runtime: LambdaRuntime;
let poller: StreamPoller | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provisio-stream-'));
});
afterAll(async () => {
  await poller?.stop();
  dynamodb.destroy();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await poller?.stop();
  poller = undefined;
  tableName = `stream-${randomUUID().slice(0, 8)}`;
  await dynamodb.send(new ddb.CreateTableCommand(createTableInput(tableName)));
  // A fresh runtime: the fixture counts attempts per item in module state.
  runtime = createLambdaRuntime({
    functions: [
      {
        localName: FUNCTION,
        entry: fileURLToPath(new URL('../support/fixtures/stream-flaky.ts', import.meta.url)),
      },
    ],
    root: dir,
    region: 'us-east-1',
    accountId: '000000000000',
  });
});

function start(options: { retryAttempts?: number; checkpoint?: string } = {}) {
  poller = startStreamPoller({
    endpoint: localStack().dynamodb.endpoint,
    tableName,
    functionName: FUNCTION,
    runtime,
    filter: (r: DynamoDBRecord) => r.dynamodb?.NewImage?.skip === undefined,
    batchSize: 10,
    retryAttempts: options.retryAttempts ?? 10,
    pollIntervalMs: 50,
    checkpointFile: join(dir, options.checkpoint ?? `${tableName}.checkpoints.json`),
    deadLetterFile: join(dir, `${tableName}.dead.jsonl`),
  });
}

async function put(pk: string, extra: Record<string, { N: string } | { S: string }> = {}) {
  await dynamodb.send(
    new ddb.PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: pk }, sk: { S: 'X' }, ...extra },
    }),
  );
}

/** The items of each invocation's batch, in order. */
function batches(): string[][] {
  return runtime
    .invocations({ functionName: FUNCTION })
    .map((i) =>
      (i.event as { Records: DynamoDBRecord[] }).Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? ''),
    );
}

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out; batches: ${JSON.stringify(batches())}`);
    await sleep(50);
  }
}

it('passes only what the filter lets through', async () => {
  await put('a');
  await put('skipped', { skip: { S: 'yes' } });
  await put('b');
  start();
  await until(() => batches().flat().includes('b'));
  expect(batches()).toEqual([['a', 'b']]);
});

it('retries a batch from the first failed record on', async () => {
  await put('a');
  await put('f', { failTimes: { N: '2' } });
  await put('g');
  start();
  await until(() => batches().length >= 3);
  await sleep(300);
  expect(batches()).toEqual([
    ['a', 'f', 'g'],
    ['f', 'g'],
    ['f', 'g'],
  ]);
});

it('gives a record up to the dead letters after its retries, and goes on', async () => {
  await put('doomed', { failTimes: { N: '99' } });
  await put('next');
  start({ retryAttempts: 2 });
  await until(async () => {
    try {
      return (await readFile(join(dir, `${tableName}.dead.jsonl`), 'utf8')).includes('doomed');
    } catch {
      return false;
    }
  });
  await until(() => batches().at(-1)?.join() === 'next');
  expect(batches()).toEqual([['doomed', 'next'], ['doomed', 'next'], ['doomed', 'next'], ['next']]);
});

it('does not replay what it delivered before a restart', async () => {
  await put('before');
  start({ checkpoint: 'restart.json' });
  await until(() => batches().flat().includes('before'));
  await poller?.stop();
  await put('after');
  start({ checkpoint: 'restart.json' });
  await until(() => batches().flat().includes('after'));
  expect(batches()).toEqual([['before'], ['after']]);
});

it('filters the notifier to outbox INSERTs, as its CDK event source does', () => {
  const record = (eventName: 'INSERT' | 'MODIFY', sk: string): DynamoDBRecord => ({
    eventName,
    dynamodb: { Keys: { pk: { S: 'OUTBOX#1' }, sk: { S: sk } } },
  });
  expect(isOutboxInsert(record('INSERT', 'OUTBOX'))).toBe(true);
  expect(isOutboxInsert(record('MODIFY', 'OUTBOX'))).toBe(false);
  expect(isOutboxInsert(record('INSERT', 'DELIVERY#a@b.c'))).toBe(false);
});
