/**
 * SSO connection items: the connection (optimistic lock `rev`), its provider copy for the
 * sign-in (`PROVIDER#<name>`, unique per provider) and its SCIM token.
 */
import type { ConnectionRecord } from '../../../model/writes.ts';
import { keys, primaryKey } from '../../../table/schema.ts';
import { scimTokenItem, ssoConnectionItem, ssoProviderItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import { ABSENT, del, EXISTS, put, type WriteContext, type WriteOf } from './context.ts';

const isConnection = (id: string) => ({
  expression: '#id = :id',
  values: { ':id': id },
  names: { '#id': 'id' },
});

export function putConnection(cx: WriteContext, w: WriteOf<'putConnection'>): TransactItem[] {
  const { rev, createdAt, ...connection } = w.connection;
  const item = { ...ssoConnectionItem({ ...connection, createdAt }), rev };
  return [
    rev === 1
      ? put(cx, item, ABSENT)
      : put(cx, item, {
          expression: 'attribute_exists(pk) AND rev = :prev',
          values: { ':prev': rev - 1 },
        }),
  ];
}

export function deleteConnection(cx: WriteContext, w: WriteOf<'deleteConnection'>): TransactItem[] {
  return [
    del(cx, keys.ssoConnection(w.scope, w.id), {
      expression: 'rev = :rev',
      values: { ':rev': w.rev },
    }),
  ];
}

export function putProvider(cx: WriteContext, w: WriteOf<'putProvider'>): TransactItem[] {
  const { rev: _rev, createdAt: _createdAt, ...connection } = w.connection as ConnectionRecord;
  // Provider names are unique: the copy is new, or already this connection's.
  const mine = isConnection(connection.id);
  return [
    put(cx, ssoProviderItem(connection), {
      ...mine,
      expression: `attribute_not_exists(pk) OR ${mine.expression}`,
    }),
  ];
}

export function deleteProvider(cx: WriteContext, w: WriteOf<'deleteProvider'>): TransactItem[] {
  return [del(cx, keys.ssoProvider(w.providerName), isConnection(w.connectionId))];
}

export function putScimToken(cx: WriteContext, w: WriteOf<'putScimToken'>): TransactItem[] {
  return [put(cx, scimTokenItem(w.token))];
}

export function deleteScimToken(cx: WriteContext, w: WriteOf<'deleteScimToken'>): TransactItem[] {
  return [del(cx, primaryKey(keys.scimToken(w.connectionId)), w.ifExists ? undefined : EXISTS)];
}
