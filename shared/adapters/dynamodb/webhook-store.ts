/**
 * SPEC §11 on the single table. The admin API's reads (`createWebhookAdminStore`: endpoints and
 * attempts, never the secrets) and the stream publisher's and delivery worker's store
 * (`createWebhookDeliveryStore`: subscribers of an event, the secrets, attempts, the failing
 * streak, disabling), each a small set of key reads and conditional writes.
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../errors.ts';
import {
  type CursorShape,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageRequest,
} from '../../model/page.ts';
import type { WebhookAdminStore, WebhookDeliveryStore } from '../../model/webhooks.ts';
import { attr, keys, prefix, scopeKey } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { str } from './items.ts';
import { getItem, queryAll } from './query.ts';
import { TransactionRefused, transactWrite } from './transact.ts';
import {
  readWebhook,
  readWebhookAttempt,
  readWebhookSecrets,
  webhookAttemptItem,
} from './webhook-items.ts';
import { transactionOf } from './writes/index.ts';

/** One page of a partition under a sort-key prefix, behind an opaque cursor. */
async function queryPage<T>(
  db: DynamoDBDocumentClient,
  tableName: string,
  q: { partition: string; prefix: string; backwards: boolean },
  page: PageRequest,
  read: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const shape: CursorShape = {
    attributes: [attr.pk, attr.sk],
    partition: { attribute: attr.pk, value: q.partition },
    sort: { attribute: attr.sk, prefix: q.prefix },
  };
  let start: Record<string, unknown> | undefined = page.cursor
    ? decodeCursor(page.cursor, shape)
    : undefined;
  const items: Record<string, unknown>[] = [];
  for (;;) {
    const out = await dynamo(() =>
      db.send(
        new QueryCommand({
          TableName: tableName,
          ConsistentRead: true,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':p': q.partition, ':prefix': q.prefix },
          ScanIndexForward: !q.backwards,
          Limit: page.limit + 1 - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    items.push(...(out.Items ?? []));
    if (items.length > page.limit) {
      const kept = items.slice(0, page.limit);
      const last = kept[kept.length - 1]!;
      return {
        items: kept.map(read),
        nextCursor: encodeCursor({ pk: str(last.pk), sk: str(last.sk) }),
      };
    }
    start = out.LastEvaluatedKey;
    if (!start) return { items: items.map(read), nextCursor: null };
  }
}

/** The admin API's webhook reads. */
export function createWebhookAdminStore(
  db: DynamoDBDocumentClient,
  tableName: string,
): WebhookAdminStore {
  return {
    async getWebhook(scope, id) {
      const item = await getItem(db, tableName, keys.webhook(scope, id));
      return item ? readWebhook(item) : undefined;
    },
    listWebhooks: (scope, page) =>
      queryPage(
        db,
        tableName,
        { partition: scopeKey(scope), prefix: prefix.webhook, backwards: false },
        page,
        readWebhook,
      ),
    listDeliveries: (webhookId, page) =>
      queryPage(
        db,
        tableName,
        {
          partition: keys.webhookPartition(webhookId),
          prefix: prefix.webhookAttempt,
          backwards: true,
        },
        page,
        readWebhookAttempt,
      ),
  };
}

export function createWebhookDeliveryStore(
  db: DynamoDBDocumentClient,
  tableName: string,
): WebhookDeliveryStore {
  return {
    async webhooksOf(scope) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':p': scopeKey(scope), ':prefix': prefix.webhook },
      });
      return items.map(readWebhook);
    },
    async getWebhook(scope, id) {
      const item = await getItem(db, tableName, keys.webhook(scope, id));
      return item ? readWebhook(item) : undefined;
    },
    async getSecrets(webhookId) {
      const item = await getItem(db, tableName, keys.webhookSecret(webhookId));
      return item ? readWebhookSecrets(item) : undefined;
    },
    async recordAttempt(attempt) {
      await dynamo(() =>
        db.send(new PutCommand({ TableName: tableName, Item: webhookAttemptItem(attempt) })),
      );
    },
    async setFailingSince(webhook, failingSince) {
      try {
        await dynamo(() =>
          db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.webhook(webhook.scope, webhook.id),
              UpdateExpression: 'SET failingSince = :f',
              ConditionExpression: 'rev = :rev',
              ExpressionAttributeValues: { ':f': failingSince, ':rev': webhook.rev },
            }),
          ),
        );
        return true;
      } catch (error) {
        if (error instanceof ConflictError) return false;
        throw error;
      }
    },
    async apply(writes) {
      try {
        await transactWrite(db, transactionOf(tableName, writes), {
          conflictRetries: 2,
          tooLarge: (n) => new ConflictError(`A change of ${n} items is too large`),
        });
        return true;
      } catch (error) {
        if (error instanceof TransactionRefused) return false;
        throw error;
      }
    },
  };
}
