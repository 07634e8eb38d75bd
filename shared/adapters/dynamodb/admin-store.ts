/**
 * The admin API's storage (SPEC §5) on the single table, as one `AdminStore`: its writes
 * (`admin-writes.ts`), its reads by key (`admin-reads.ts`) and its paged lists
 * (`admin-lists.ts`). Access patterns: docs/data-model.md, "Admin API".
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AdminStore } from '../../model/writes.ts';
import { createAdminLists } from './admin-lists.ts';
import { createAdminReads } from './admin-reads.ts';
import { createAdminWrites } from './admin-writes.ts';

/** Creates the DynamoDB-backed admin store. */
export function createAdminStore(db: DynamoDBDocumentClient, tableName: string): AdminStore {
  return {
    ...createAdminWrites(db, tableName),
    ...createAdminReads(db, tableName),
    ...createAdminLists(db, tableName),
  };
}
