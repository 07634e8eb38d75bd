/**
 * The outbox tasks' storage (`shared/tasks.ts`): the domains a provider's connection serves now,
 * an org's earlier events indexed for its company's activity (a bounded batch at a time), and
 * another task put on the outbox.
 */

import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys, prefix } from '../../table/schema.ts';
import type { TaskDeps } from '../../tasks.ts';
import { dynamo } from './errors.ts';
import { outboxTaskItem } from './items.ts';
import { decodeStartKey, encodeStartKey } from './query.ts';

/** The domains a provider's connection serves now (its sign-in copy, read consistently). */
function createProviderDomains(db: DynamoDBDocumentClient, tableName: string) {
  return async (providerName: string): Promise<string[] | undefined> => {
    const out = await dynamo(() =>
      db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.ssoProvider(providerName),
          ConsistentRead: true,
          ProjectionExpression: 'domains',
        }),
      ),
    );
    if (!out.Item) return undefined;
    return Array.isArray(out.Item.domains) ? out.Item.domains.map(String) : [];
  };
}

export function createTaskStore(
  db: DynamoDBDocumentClient,
  tableName: string,
): Pick<TaskDeps, 'providerDomains' | 'indexOrgEvents' | 'enqueue'> {
  return {
    providerDomains: createProviderDomains(db, tableName),

    async indexOrgEvents(orgId, companyId, from, limit) {
      let indexed = 0;
      let start = decodeStartKey(from);
      do {
        const out = await dynamo(() =>
          db.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
              ExpressionAttributeValues: { ':p': keys.org(orgId).pk, ':prefix': prefix.event },
              ProjectionExpression: 'pk, sk, id, #at',
              ExpressionAttributeNames: { '#at': 'at' },
              Limit: Math.min(100, limit - indexed),
              ExclusiveStartKey: start,
            }),
          ),
        );
        const items = out.Items ?? [];
        // A few at a time; each is idempotent, so a batch run again changes nothing.
        for (let i = 0; i < items.length; i += 10) {
          await Promise.all(
            items.slice(i, i + 10).map((item) => {
              const index = keys.companyEventIndex(companyId, String(item.at), String(item.id));
              return dynamo(() =>
                db.send(
                  new UpdateCommand({
                    TableName: tableName,
                    Key: { pk: item.pk, sk: item.sk },
                    UpdateExpression: 'SET gsi1pk = :gpk, gsi1sk = :gsk, companyId = :c',
                    ConditionExpression: 'attribute_exists(pk)',
                    ExpressionAttributeValues: {
                      ':gpk': index.gsi1pk,
                      ':gsk': index.gsi1sk,
                      ':c': companyId,
                    },
                  }),
                ),
              );
            }),
          );
        }
        indexed += items.length;
        start = out.LastEvaluatedKey;
      } while (start && indexed < limit);
      return { indexed, next: encodeStartKey(start) };
    },

    async enqueue(task) {
      await dynamo(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: outboxTaskItem(task, randomUUID(), new Date().toISOString()),
          }),
        ),
      );
    },
  };
}
