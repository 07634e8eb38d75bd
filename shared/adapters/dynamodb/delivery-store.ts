/**
 * Storage for notification delivery: recipients from the table, and one delivery record per
 * outbox item and recipient (`OUTBOX#<id>` / `DELIVERY#<email>`) guarding exactly-once mail.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../errors.ts';
import type { ClaimResult, DeliveryStore } from '../../notifications/deliver.ts';
import type { Notification } from '../../notifications/render.ts';
import { GSI1, keys, prefix } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { queryAll } from './query.ts';

export function createDeliveryStore(db: DynamoDBDocumentClient, tableName: string): DeliveryStore {
  const queryIndex = (pk: string, skPrefix: string) =>
    queryAll(db, {
      TableName: tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
    });

  return {
    async recipients(n: Notification) {
      if (n.type === 'invitation') return [n.email];
      const org = await dynamo(() =>
        db.send(new GetCommand({ TableName: tableName, Key: keys.org(n.orgId) })),
      );
      const companyId = (org.Item?.companyId as string | null | undefined) ?? n.companyId;
      // The owner entries (`PersonChanges`): the org's owners without reading its members.
      const [owners, companyOwners] = await Promise.all([
        queryIndex(keys.orgOwner(n.orgId, '').gsi1pk, prefix.owner),
        companyId
          ? queryIndex(keys.companyOwner(companyId, '').gsi1pk, prefix.owner)
          : Promise.resolve([]),
      ]);
      return [...owners, ...companyOwners].map((o) => String(o.email));
    },

    async claim(outboxId, recipient, now, leaseMs): Promise<ClaimResult> {
      const key = keys.delivery(outboxId, recipient);
      try {
        await dynamo(() =>
          db.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...key, entity: 'delivery', status: 'claimed', claimedAt: now.toISOString() },
              // New, or a claim whose lease ran out (its invocation died mid-send).
              ConditionExpression:
                'attribute_not_exists(pk) OR (#status = :claimed AND claimedAt < :expired)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':claimed': 'claimed',
                ':expired': new Date(now.getTime() - leaseMs).toISOString(),
              },
            }),
          ),
        );
        return 'claimed';
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const existing = await dynamo(() =>
          db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
        );
        return existing.Item?.status === 'sent' ? 'already-sent' : 'in-flight';
      }
    },

    async release(outboxId, recipient) {
      await dynamo(() =>
        db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.delivery(outboxId, recipient),
            ConditionExpression: '#status = :claimed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':claimed': 'claimed' },
          }),
        ),
      ).catch((error) => {
        if (!(error instanceof ConflictError)) throw error;
      });
    },

    async markSent(outboxId, recipient, messageId, now) {
      await dynamo(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(outboxId, recipient),
            UpdateExpression: 'SET #status = :sent, messageId = :m, sentAt = :at',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':sent': 'sent',
              ':m': messageId,
              ':at': now.toISOString(),
            },
          }),
        ),
      );
    },
  };
}
