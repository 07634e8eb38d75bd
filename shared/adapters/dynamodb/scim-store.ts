/**
 * The SCIM service's reads (SPEC §10): a connection's token, users and groups, all in its
 * `SCIM#<connectionId>` partition, strongly consistent. Writes go through the admin store's
 * `apply` (admin-writes.ts), the one write path.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScimStore } from '../../scim/model.ts';
import { type Key, keys, prefix } from '../../table/schema.ts';
import { readScimGroup, readScimToken, readScimUser, str } from './items.ts';
import { getItem as getItemByKey, queryAll } from './query.ts';

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
