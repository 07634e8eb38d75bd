/**
 * The reads every store shares, followed to the end (all pages, every unprocessed key), with
 * errors mapped to domain errors.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { backoffMs, sleep } from '../../backoff.ts';
import { GSI1, type Key } from '../../table/schema.ts';
import { dynamo } from './errors.ts';

/** One item by key, strongly consistent. */
export async function getItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: Key,
): Promise<Record<string, unknown> | undefined> {
  const out = await dynamo(() =>
    db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: key.pk, sk: key.sk },
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item;
}

/** How `batchGet` files an item: by its primary key. */
export const keyOf = (k: Key): string => `${k.pk}\u0000${k.sk}`;

/** Every item of a paged read (a Query or a Scan), page after page from the start. */
async function allPages(
  page: (
    start: Record<string, unknown> | undefined,
  ) => Promise<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await dynamo(() => page(start));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item a query matches (all pages). */
export function queryAll(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  return allPages((start) =>
    db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }), { abortSignal: signal }),
  );
}

/** Every item a scan matches (all pages): for a table only its caller writes to. */
export function scanAll(
  db: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  return allPages((start) => db.send(new ScanCommand({ ...input, ExclusiveStartKey: start })));
}

/** Gets many items by key in one BatchGet per 100 keys, retrying what DynamoDB leaves unprocessed. */
export async function batchGet(
  db: DynamoDBDocumentClient,
  tableName: string,
  keyList: Key[],
  signal?: AbortSignal,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Map(keyList.map((k) => [keyOf(k), k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Key[] = unique.slice(i, i + 100);
    for (let round = 0; pending.length > 0; round++) {
      const out = await dynamo(() =>
        db.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending.map((k) => ({ pk: k.pk, sk: k.sk })),
                ConsistentRead: true,
              },
            },
          }),
          { abortSignal: signal },
        ),
      );
      for (const item of out.Responses?.[tableName] ?? []) found.set(keyOf(item as Key), item);
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
      if (pending.length && round >= 5)
        throw new Error('BatchGet left keys unprocessed after retries');
      if (pending.length) await sleep(backoffMs(round, { baseMs: 20 }));
    }
  }
  return found;
}

/** The item `batchGet` found under `key`, if any. */
export const foundItem = (found: Map<string, Record<string, unknown>>, key: Key) =>
  found.get(keyOf(key));

/** Queries a whole partition (strongly consistent). */
export function queryPartition(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  return queryAll(
    db,
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    },
    signal,
  );
}

/**
 * A `LastEvaluatedKey` as an opaque cursor a later run resumes from, and back. For a job's own
 * continuation only (a task, a maintenance run): API cursors are validated (`pagination.ts`).
 */
export const encodeStartKey = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

export const decodeStartKey = (cursor: string | undefined): Record<string, unknown> | undefined =>
  cursor
    ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
    : undefined;

/**
 * One page of a schedule partition of gsi1 (`gsi1sk` = `<ISO time>#…`, one length of time, so
 * string order is time order): the entries due at `bound` or before, and where to go on.
 */
export async function dueEntries(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  bound: string,
  page: { limit: number; cursor?: Record<string, unknown> | undefined },
): Promise<{ items: Record<string, unknown>[]; cursor: Record<string, unknown> | undefined }> {
  const out = await dynamo(() =>
    db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :bound',
        ExpressionAttributeValues: { ':p': partition, ':bound': bound },
        Limit: page.limit,
        ...(page.cursor ? { ExclusiveStartKey: page.cursor } : {}),
      }),
    ),
  );
  return { items: out.Items ?? [], cursor: out.LastEvaluatedKey };
}
