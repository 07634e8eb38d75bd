/**
 * A person's own items: the account and its unique username, throttled notices and SCIM
 * deactivation marks. Each records itself in the person changes (the summary mirrors them).
 */
import { keys, primaryKey } from '../../../table/schema.ts';
import { accountItem, noticeItem, scimDeactivatedItem, usernameGuardItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import { ABSENT, del, EXISTS, put, update, type WriteContext, type WriteOf } from './context.ts';

export function putAccount(cx: WriteContext, w: WriteOf<'putAccount'>): TransactItem[] {
  const item = accountItem(w.account);
  cx.summary.put(item);
  return [put(cx, item, ABSENT)];
}

export function putUsername(cx: WriteContext, w: WriteOf<'putUsername'>): TransactItem[] {
  return [put(cx, usernameGuardItem(w.username, w.email), ABSENT)];
}

export function setAccountName(cx: WriteContext, w: WriteOf<'setAccountName'>): TransactItem[] {
  const a = w.account;
  // The summary mirrors the whole account: it is rewritten from the account as read.
  cx.summary.updated({
    ...accountItem({
      email: a.email,
      username: a.username,
      name: w.name,
      createdAt: a.createdAt ?? w.at,
    }),
    updatedAt: w.at,
  });
  return [
    update(
      cx,
      keys.account(a.email),
      'SET #name = :name, updatedAt = :at',
      EXISTS,
      { ':name': w.name, ':at': w.at },
      { '#name': 'name' },
    ),
  ];
}

/** SPEC §4: at most one notice of a kind per person and org per 24 h (`cutoff`). */
export function putNotice(cx: WriteContext, w: WriteOf<'putNotice'>): TransactItem[] {
  const item = noticeItem(w.email, w.notice, w.orgId, w.at);
  cx.summary.put(item);
  return [
    put(cx, item, {
      expression: 'attribute_not_exists(pk) OR #at < :cutoff',
      values: { ':cutoff': w.cutoff },
      names: { '#at': 'at' },
    }),
  ];
}

export function scimDeactivated(cx: WriteContext, w: WriteOf<'scimDeactivated'>): TransactItem[] {
  const key = keys.scimDeactivated(w.email, w.connectionId);
  if (!w.on) {
    cx.summary.delete(key);
    return [del(cx, primaryKey(key))];
  }
  const item = scimDeactivatedItem(w.email, w.connectionId, w.at, w.cover);
  cx.summary.put(item);
  return [put(cx, item)];
}

/** SPEC §13: the day's sign-in, kept on the person's summary alone (person-changes.ts). */
export function recordSignIn(cx: WriteContext, w: WriteOf<'recordSignIn'>): TransactItem[] {
  cx.summary.signedIn(w.email, w.on, w.method);
  return [];
}
