/**
 * The domain checker's reads on the single table (docs/data-model.md, "Domain checker"): the
 * claims whose check is due, from the `DOMAINCHECK` partition of gsi1, and a company by id.
 * Its writes go through the admin store's `apply`.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainCheckStore } from '../../admin/domain-checker.ts';
import { GSI1, keys } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { readDomainClaim } from './items.ts';

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
      const out = await dynamo(() =>
        db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: GSI1,
            KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :bound',
            ExpressionAttributeValues: { ':p': partition, ':bound': dueBound(now) },
            Limit: page.limit,
            ...(page.cursor ? { ExclusiveStartKey: page.cursor } : {}),
          }),
        ),
      );
      return {
        claims: (out.Items ?? []).filter((i) => i.entity === 'domainClaim').map(readDomainClaim),
        cursor: out.LastEvaluatedKey,
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
