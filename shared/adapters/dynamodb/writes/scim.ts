/** SCIM resources of a connection: users, groups (versioned) and their unique names. */
import { keys } from '../../../table/schema.ts';
import { scimGroupItem, scimNameItem, scimUserItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import { ABSENT, del, put, type WriteContext, type WriteOf } from './context.ts';

/** A versioned SCIM resource: new at version 1, else replacing the version before. */
const versioned = (cx: WriteContext, item: Record<string, unknown>, version: number) =>
  version === 1
    ? put(cx, item, ABSENT)
    : put(cx, item, { expression: 'version = :prev', values: { ':prev': version - 1 } });

const atVersion = (version: number) => ({ expression: 'version = :v', values: { ':v': version } });

const ownName = (id: string) => ({
  expression: '#id = :id',
  values: { ':id': id },
  names: { '#id': 'id' },
});

export function putScimUser(cx: WriteContext, w: WriteOf<'putScimUser'>): TransactItem[] {
  return [versioned(cx, scimUserItem(w.connectionId, w.user), w.user.version)];
}

export function deleteScimUser(cx: WriteContext, w: WriteOf<'deleteScimUser'>): TransactItem[] {
  return [del(cx, keys.scimUser(w.connectionId, w.id), atVersion(w.version))];
}

export function putScimGroup(cx: WriteContext, w: WriteOf<'putScimGroup'>): TransactItem[] {
  return [versioned(cx, scimGroupItem(w.connectionId, w.group), w.group.version)];
}

export function deleteScimGroup(cx: WriteContext, w: WriteOf<'deleteScimGroup'>): TransactItem[] {
  return [del(cx, keys.scimGroup(w.connectionId, w.id), atVersion(w.version))];
}

export function putScimName(cx: WriteContext, w: WriteOf<'putScimName'>): TransactItem[] {
  const mine = ownName(w.id);
  return [
    put(cx, scimNameItem(w.connectionId, w.what, w.key, w.id), {
      ...mine,
      expression: `attribute_not_exists(pk) OR ${mine.expression}`,
    }),
  ];
}

export function deleteScimName(cx: WriteContext, w: WriteOf<'deleteScimName'>): TransactItem[] {
  const item = scimNameItem(w.connectionId, w.what, w.key, w.id);
  return [del(cx, { pk: String(item.pk), sk: String(item.sk) }, ownName(w.id))];
}
