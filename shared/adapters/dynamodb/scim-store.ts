/**
 * The SCIM service's reads (SPEC §10): a connection's token, users and groups, all in its
 * `SCIM#<connectionId>` partition, strongly consistent. Writes go through the admin store's
 * `apply` (admin-writes.ts), the one write path.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScimStore } from '../../scim/model.ts';
import { type Key, keys, prefix } from '../../table/schema.ts';
import { readScimGroup, readScimToken, readScimUser, str } from './items.ts';
import { batchGet, getItem as getItemByKey, keyOf, queryAll } from './query.ts';

export function createScimStore(db: DynamoDBDocumentClient, tableName: string): ScimStore {
  const getItem = (key: Key) => getItemByKey(db, tableName, key);
  const list = (connectionId: string, skPrefix: string) =>
    queryAll(db, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': keys.scim(connectionId), ':sk': skPrefix },
      ConsistentRead: true,
    });
  return {
    async getToken(connectionId) {
      const item = await getItem(keys.scimToken(connectionId));
      return item ? readScimToken(item) : undefined;
    },
    async getUser(connectionId, id) {
      const item = await getItem(keys.scimUser(connectionId, id));
      return item ? readScimUser(item) : undefined;
    },
    async getUsers(connectionId, ids) {
      // BatchGetItem takes 100 keys: the batches go out at once, one round trip for a group push.
      const batches: string[][] = [];
      for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
      const found = new Map<string, Record<string, unknown>>();
      for (const part of await Promise.all(
        batches.map((batch) =>
          batchGet(
            db,
            tableName,
            batch.map((id) => keys.scimUser(connectionId, id)),
          ),
        ),
      )) {
        for (const [key, item] of part) found.set(key, item);
      }
      return ids.map((id) => {
        const item = found.get(keyOf(keys.scimUser(connectionId, id)));
        return item ? readScimUser(item) : undefined;
      });
    },
    async getGroup(connectionId, id) {
      const item = await getItem(keys.scimGroup(connectionId, id));
      return item ? readScimGroup(item) : undefined;
    },
    async userIdByName(connectionId, userNameKey) {
      const item = await getItem(keys.scimUserName(connectionId, userNameKey));
      return item ? str(item.id) || undefined : undefined;
    },
    async groupIdByName(connectionId, displayNameKey) {
      const item = await getItem(keys.scimGroupName(connectionId, displayNameKey));
      return item ? str(item.id) || undefined : undefined;
    },
    async listUsers(connectionId) {
      return (await list(connectionId, prefix.scimUser)).map(readScimUser);
    },
    async listGroups(connectionId) {
      return (await list(connectionId, prefix.scimGroup)).map(readScimGroup);
    },
  };
}
