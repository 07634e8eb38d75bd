/**
 * SSO connection items: the connection (optimistic lock `rev`), its provider copy for the
 * sign-in (`PROVIDER#<name>`, unique per provider) and its SCIM token.
 */
import type { ConnectionRecord } from '../../../model/writes.ts';
import { keys, primaryKey } from '../../../table/schema.ts';
import { scimTokenItem, ssoConnectionItem, ssoProviderItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import {
  ABSENT,
  del,
  EXISTS,
  put,
  setRemove,
  update,
  type WriteContext,
  type WriteOf,
} from './context.ts';

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

/** Attributes of the provider copy a connection may leave out: removed when absent. */
const OPTIONAL_PROVIDER_ATTRIBUTES = ['enforcement', 'breakGlass'] as const;

export function putProvider(cx: WriteContext, w: WriteOf<'putProvider'>): TransactItem[] {
  const { rev: _rev, createdAt: _createdAt, ...connection } = w.connection as ConnectionRecord;
  // Provider names are unique: the copy is new, or already this connection's.
  const mine = isConnection(connection.id);
  // An update rather than a put: the day of the last sign-in through the provider, which the
  // sign-in keeps on this copy (SPEC §12 no lockout), survives every change of the connection.
  const { pk, sk, ...attributes } = ssoProviderItem(connection);
  const sets: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  Object.entries(attributes).forEach(([name, value], i) => {
    if (value === undefined) return;
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    sets.push(`#a${i} = :a${i}`);
  });
  const removes = OPTIONAL_PROVIDER_ATTRIBUTES.filter((a) => attributes[a] === undefined);
  const expression = setRemove(sets, removes);
  return [
    update(
      cx,
      { pk, sk },
      expression,
      { ...mine, expression: `attribute_not_exists(pk) OR ${mine.expression}` },
      values,
      names,
    ),
  ];
}

export function touchProvider(cx: WriteContext, w: WriteOf<'touchProvider'>): TransactItem[] {
  return [
    update(cx, keys.ssoProvider(w.providerName), 'SET lastSignInOn = :on', EXISTS, {
      ':on': w.on,
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

/** How long a no-lockout marker is kept: the count looks back 30 days (SPEC §12). */
const NON_SSO_SIGN_IN_RETENTION_S = 31 * 24 * 60 * 60;

/**
 * SPEC §12 no lockout: the day a person signed in on the connection's domains without it, put
 * at most once a day (a marker of today already there fails the condition, which the writer
 * ignores), expiring after 31 days.
 */
export function markNonSsoSignIn(cx: WriteContext, w: WriteOf<'markNonSsoSignIn'>): TransactItem[] {
  const item = {
    ...keys.nonSsoSignIn(w.connectionId, w.email),
    entity: 'nonSsoSignIn',
    connectionId: w.connectionId,
    email: w.email,
    on: w.on,
    ttl: Math.floor(Date.parse(`${w.on}T00:00:00Z`) / 1000) + NON_SSO_SIGN_IN_RETENTION_S,
  };
  return [
    put(
      cx,
      item,
      w.unconditional
        ? undefined
        : {
            expression: 'attribute_not_exists(pk) OR #on < :on',
            values: { ':on': w.on },
            names: { '#on': 'on' },
          },
    ),
  ];
}
