/**
 * The invitation lifecycle run's read (SPEC §13; docs/data-model.md): the entries of the
 * `INVITEDUE` partition of gsi1 that are due, invitations' schedule entries and bulk runs in
 * progress. Its writes go through the admin store's `apply`.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DueEntry, LifecycleStore } from '../../admin/invitation-lifecycle.ts';
import { GSI1, LIFECYCLE_DUE } from '../../table/schema.ts';
import { dynamo } from './errors.ts';

/**
 * The upper bound of due index keys at `now`: keys are `<ISO time>#<id>` with times of one
 * length, so string order is time order; `~` sorts after every character of an id.
 */
const dueBound = (now: Date): string => `${now.toISOString()}#~`;

export function createLifecycleStore(
  db: DynamoDBDocumentClient,
  tableName: string,
): LifecycleStore {
  return {
    async due(now, page) {
      const out = await dynamo(() =>
        db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: GSI1,
            KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :bound',
            ExpressionAttributeValues: { ':p': LIFECYCLE_DUE, ':bound': dueBound(now) },
            Limit: page.limit,
            ...(page.cursor ? { ExclusiveStartKey: page.cursor } : {}),
          }),
        ),
      );
      const entries: DueEntry[] = [];
      for (const item of out.Items ?? []) {
        if (item.entity === 'invitationDue') {
          entries.push({
            kind: 'invitation',
            orgId: String(item.orgId),
            email: String(item.email),
          });
        } else if (item.entity === 'bulkRun') {
          entries.push({ kind: 'bulkRun', orgId: String(item.orgId), key: String(item.key) });
        }
      }
      return { entries, cursor: out.LastEvaluatedKey };
    },
  };
}
