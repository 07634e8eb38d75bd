/**
 * The DynamoDB stream event source mapping, locally: polls the table's stream on DynamoDB Local
 * and invokes a function with batches of records, as Lambda does for the notifier
 * (infra/constructs/notifier.ts): a filter, a batch size, partial batch failures retried from
 * the first failed record, a bounded number of retries, and a dead-letter file instead of SQS.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 *
 * It speaks the Streams API's JSON protocol with `fetch`: the SDK's DynamoDB Streams client is
 * not a dependency, and DynamoDB Local does not check request signatures.
 */
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBRecord } from 'aws-lambda';
import { backoffMs } from '../shared/backoff.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './options.ts';

/** A running poller. */
export interface StreamPoller {
  /** Finishes the batch in flight, then stops. */
  stop(): Promise<void>;
}

/** Options of `startStreamPoller`. */
export interface StreamPollerOptions {
  readonly endpoint: string;
  readonly tableName: string;
  readonly functionName: string;
  readonly runtime: LambdaRuntime;
  /** Which records reach the function (the event source mapping's filter criteria). */
  readonly filter: (record: DynamoDBRecord) => boolean;
  /** @default 10 */
  readonly batchSize?: number;
  /** How often a failing record is retried before it goes to the dead letters. @default 10 */
  readonly retryAttempts?: number;
  /** Pause between polls when the stream is idle. @default 250 */
  readonly pollIntervalMs?: number;
  /** Where positions are kept across restarts, so old records are not replayed. */
  readonly checkpointFile: string;
  /** Records given up on, one JSON line each. */
  readonly deadLetterFile: string;
  readonly log?: (line: string) => void;
}

type Json = Record<string, unknown>;

/** Errors after which the poller looks the stream up again and starts over. */
const RESTART_ON = new Set([
  'ResourceNotFoundException',
  'ExpiredIteratorException',
  'TrimmedDataAccessException',
]);

/** A stop waits this long for a batch in flight; the notifier is idempotent, so it may be cut. */
const STOP_GRACE_MS = 3000;

class StreamsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
  }
}

/** One call of the DynamoDB (Streams) JSON API. */
async function call(endpoint: string, target: string, body: Json): Promise<Json> {
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      // Well-formed, so DynamoDB Local can read the access key; it does not verify signatures.
      authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${date}/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await response.json()) as Json;
  if (!response.ok) {
    const type = String(json.__type ?? response.status)
      .split('#')
      .pop()!;
    throw new StreamsApiError(type, String(json.message ?? json.Message ?? ''));
  }
  return json;
}

/**
 * Starts polling the stream of `tableName` and invoking `functionName` with what passes
 * `filter`, from where the last run stopped (or the oldest record of a new stream).
 */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const batchSize = options.batchSize ?? 10;
  const retryAttempts = options.retryAttempts ?? 10;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const log = options.log ?? (() => {});
  let stopped = false;

  async function loadCheckpoints(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(options.checkpointFile, 'utf8'));
    } catch {
      return {};
    }
  }

  async function saveCheckpoints(checkpoints: Record<string, string>): Promise<void> {
    await writeFile(`${options.checkpointFile}.tmp`, JSON.stringify(checkpoints));
    await rename(`${options.checkpointFile}.tmp`, options.checkpointFile);
  }

  /** Invokes the function until the batch is through: delivered, or given up on record by record. */
  async function deliver(streamArn: string, records: DynamoDBRecord[]): Promise<void> {
    let pending = records;
    let attempt = 0;
    while (pending.length > 0 && !stopped) {
      const outcome = await options.runtime.invoke(options.functionName, { Records: pending });
      let failedFrom: number;
      if (outcome.functionError) {
        failedFrom = 0;
        log(`stream: ${options.functionName} failed: ${outcome.payload}`);
      } else {
        const failures =
          (JSON.parse(outcome.payload) as { batchItemFailures?: { itemIdentifier?: string }[] })
            ?.batchItemFailures ?? [];
        const failed = new Set(failures.map((f) => f.itemIdentifier));
        failedFrom = pending.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber));
        if (failedFrom === -1 && failed.size > 0) failedFrom = 0; // an identifier we do not know
      }
      if (failedFrom === -1) return;
      attempt += 1;
      if (attempt > retryAttempts) {
        const dead = pending[failedFrom]!;
        await appendFile(
          options.deadLetterFile,
          `${JSON.stringify({ streamArn, functionName: options.functionName, record: dead })}\n`,
        );
        log(
          `stream: gave up on record ${dead.dynamodb?.SequenceNumber} after ${retryAttempts} retries`,
        );
        pending = pending.slice(failedFrom + 1);
        attempt = 0;
        continue;
      }
      // Lambda retries from the first failed record on; the ones before it are done.
      pending = pending.slice(failedFrom);
      await sleep(backoffMs(attempt - 1, { baseMs: 200, capMs: 5000 }));
    }
  }

  async function run(): Promise<void> {
    const checkpoints = await loadCheckpoints();
    const iterators = new Map<string, string>();
    let streamArn: string | undefined;
    let shardsCheckedAt = 0;
    while (!stopped) {
      try {
        if (!streamArn) {
          const { Table } = (await call(options.endpoint, 'DynamoDB_20120810.DescribeTable', {
            TableName: options.tableName,
          })) as { Table?: { LatestStreamArn?: string } };
          streamArn = Table?.LatestStreamArn;
          if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
          iterators.clear();
        }
        if (Date.now() - shardsCheckedAt > 2000) {
          shardsCheckedAt = Date.now();
          const { StreamDescription } = (await call(
            options.endpoint,
            'DynamoDBStreams_20120810.DescribeStream',
            { StreamArn: streamArn },
          )) as { StreamDescription: { Shards?: { ShardId: string }[] } };
          for (const { ShardId } of StreamDescription.Shards ?? []) {
            if (iterators.has(ShardId) || checkpoints[ShardId] === 'closed') continue;
            const after = checkpoints[ShardId];
            const { ShardIterator } = await call(
              options.endpoint,
              'DynamoDBStreams_20120810.GetShardIterator',
              {
                StreamArn: streamArn,
                ShardId,
                ...(after
                  ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
                  : { ShardIteratorType: 'TRIM_HORIZON' }),
              },
            );
            iterators.set(ShardId, String(ShardIterator));
          }
        }
        let busy = false;
        for (const [shardId, iterator] of iterators) {
          const { Records = [], NextShardIterator } = (await call(
            options.endpoint,
            'DynamoDBStreams_20120810.GetRecords',
            { ShardIterator: iterator, Limit: 100 },
          )) as { Records?: DynamoDBRecord[]; NextShardIterator?: string };
          const records = Records.map((r) => ({
            ...withEmptyMaps(r),
            awsRegion: LOCAL_REGION,
            eventSourceARN: streamArn,
          }));
          const matching = records.filter(options.filter);
          for (let i = 0; i < matching.length && !stopped; i += batchSize) {
            await deliver(streamArn!, matching.slice(i, i + batchSize));
          }
          if (stopped) return;
          const last = records.at(-1)?.dynamodb?.SequenceNumber;
          if (last) checkpoints[shardId] = last;
          if (NextShardIterator) {
            iterators.set(shardId, NextShardIterator);
          } else {
            iterators.delete(shardId);
            checkpoints[shardId] = 'closed';
          }
          if (last || !NextShardIterator) await saveCheckpoints(checkpoints);
          busy ||= records.length > 0;
        }
        if (!busy) await sleep(pollIntervalMs);
      } catch (error) {
        if (stopped) return;
        // A re-created table has a new stream; an expired or trimmed position starts over.
        if (error instanceof StreamsApiError && RESTART_ON.has(error.type)) {
          streamArn = undefined;
          shardsCheckedAt = 0;
          // The notifier is idempotent: replaying from the oldest record is safe.
          if (error.type !== 'ResourceNotFoundException') {
            for (const shard of Object.keys(checkpoints)) delete checkpoints[shard];
          }
        }
        log(`stream: ${(error as Error).message}`);
        await sleep(1000);
      }
    }
  }

  const running = run();
  return {
    async stop() {
      stopped = true;
      await Promise.race([running, sleep(STOP_GRACE_MS)]);
    },
  };
}

/** An attribute value as DynamoDB's JSON writes it (`{S: …}`, `{M: {…}}`, …). */
type AttributeJson = Record<string, unknown>;

/**
 * A record with every empty map of its images written `{M: {}}`, as DynamoDB Streams writes it:
 * DynamoDB Local's stream writes an empty map attribute as `{}`, which no SDK can read (an
 * event without details would fail every consumer, then block its shard through the retries).
 */
export function withEmptyMaps(record: DynamoDBRecord): DynamoDBRecord {
  const dynamodb = record.dynamodb;
  if (!dynamodb) return record;
  const fix = (image: Record<string, unknown> | undefined) =>
    image &&
    Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fixValue(v as AttributeJson)]));
  return {
    ...record,
    dynamodb: {
      ...dynamodb,
      ...(dynamodb.NewImage ? { NewImage: fix(dynamodb.NewImage) as never } : {}),
      ...(dynamodb.OldImage ? { OldImage: fix(dynamodb.OldImage) as never } : {}),
    },
  };
}

function fixValue(value: AttributeJson): AttributeJson {
  if (value && typeof value === 'object' && Object.keys(value).length === 0) return { M: {} };
  if (value?.M && typeof value.M === 'object') {
    return {
      M: Object.fromEntries(
        Object.entries(value.M as Record<string, AttributeJson>).map(([k, v]) => [k, fixValue(v)]),
      ),
    };
  }
  if (Array.isArray(value?.L)) return { L: (value.L as AttributeJson[]).map(fixValue) };
  return value;
}
