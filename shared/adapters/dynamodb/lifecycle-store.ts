/**
 * The invitation lifecycle run's read (SPEC §13; docs/data-model.md): the entries of the
 * `INVITEDUE` partition of gsi1 that are due, invitations' schedule entries and bulk runs in
 * progress. Its writes go through the admin store's `apply`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DueEntry, LifecycleStore } from '../../admin/invitation-lifecycle.ts';
import { LIFECYCLE_DUE } from '../../table/schema.ts';
import { dueEntries } from './query.ts';

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
      const due = await dueEntries(db, tableName, LIFECYCLE_DUE, dueBound(now), page);
      const entries: DueEntry[] = [];
      for (const item of due.items) {
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
      return { entries, cursor: due.cursor };
    },
  };
}
