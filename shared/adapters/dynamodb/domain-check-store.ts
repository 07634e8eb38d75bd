/**
 * The domain checker's reads on the single table (docs/data-model.md, "Domain checker"): the
 * claims whose check is due, from the `DOMAINCHECK` partition of gsi1, and a company by id.
 * Its writes go through the admin store's `apply`.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainCheckStore } from '../../admin/domain-checker.ts';
import { keys } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { readDomainClaim } from './items.ts';
import { dueEntries } from './query.ts';

/**
 * The upper bound of due index keys at `now`. Keys are `<nextCheckAt>#<domain>` with ISO-8601
 * UTC times of one length, so string order is time order; `~` sorts after every character of a
 * domain, so every claim due exactly at `now` is included.
 */
export const dueBound = (now: Date): string => `${keys.domainCheck(now.toISOString(), '').gsi1sk}~`;

export function createDomainCheckStore(
  db: DynamoDBDocumentClient,
  tableName: string,
): DomainCheckStore {
  const partition = keys.domainCheck('', '').gsi1pk;
  return {
    async dueClaims(now, page) {
      const due = await dueEntries(db, tableName, partition, dueBound(now), page);
      return {
        claims: due.items.filter((i) => i.entity === 'domainClaim').map(readDomainClaim),
        cursor: due.cursor,
      };
    },

    async getCompany(companyId) {
      const out = await dynamo(() =>
        db.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.company(companyId),
            ConsistentRead: true,
          }),
        ),
      );
      const item = out.Item;
      if (!item) return undefined;
      return {
        id: String(item.id ?? companyId),
        name: typeof item.name === 'string' ? item.name : '',
        createdAt: typeof item.createdAt === 'string' ? item.createdAt : '',
      };
    },
  };
}
