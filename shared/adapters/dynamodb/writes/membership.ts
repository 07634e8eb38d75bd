/**
 * Membership items (`ACCOUNT#<email>` / `MEMBER#<orgId>`): joining, role changes, suspension,
 * removal. Each records itself in the person changes, which keep the summary and the owner entry.
 */
import type { Membership } from '../../../model/types.ts';
import { keys } from '../../../table/schema.ts';
import { memberItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import type { Condition, WriteContext, WriteOf } from './context.ts';
import { ABSENT, check, del, put, update } from './context.ts';

const ROLE = { '#role': 'role' };

export function putMember(cx: WriteContext, w: WriteOf<'putMember'>): TransactItem[] {
  const item = memberItem(w.email, w.membership);
  cx.summary.put(item);
  return [put(cx, item, ABSENT)];
}

/**
 * A membership changed in place: the person summary follows the changed membership, and the
 * member item is updated under `condition`.
 */
function updateMember(
  cx: WriteContext,
  w: { orgId: string; email: string; membership: Membership },
  changed: Partial<Membership>,
  expression: string,
  condition: Condition,
  values?: Record<string, unknown>,
): TransactItem[] {
  cx.summary.updated(memberItem(w.email, { ...w.membership, ...changed }));
  return [update(cx, keys.member(w.orgId, w.email), expression, condition, values)];
}

export function setRole(cx: WriteContext, w: WriteOf<'setRole'>): TransactItem[] {
  return updateMember(
    cx,
    w,
    { role: w.to },
    'SET #role = :to',
    {
      expression: 'attribute_exists(pk) AND #role = :from',
      values: { ':from': w.from },
      names: ROLE,
    },
    { ':to': w.to },
  );
}

export function setSuspended(cx: WriteContext, w: WriteOf<'setSuspended'>): TransactItem[] {
  return updateMember(
    cx,
    w,
    { suspended: w.suspended },
    w.suspended ? 'SET suspended = :t' : 'REMOVE suspended',
    {
      expression: w.suspended
        ? 'attribute_exists(pk) AND #role = :owner AND attribute_not_exists(suspended)'
        : 'attribute_exists(pk) AND #role = :owner AND suspended = :t',
      values: { ':owner': 'owner', ':t': true },
      names: ROLE,
    },
  );
}

export function deleteMember(cx: WriteContext, w: WriteOf<'deleteMember'>): TransactItem[] {
  cx.summary.delete(keys.member(w.orgId, w.email), w.role);
  // The role as read: the org's owner count and owner entry follow it.
  return [
    del(cx, keys.member(w.orgId, w.email), {
      expression: 'attribute_exists(pk) AND #role = :role',
      values: { ':role': w.role },
      names: ROLE,
    }),
  ];
}

export function checkNotMember(cx: WriteContext, w: WriteOf<'checkNotMember'>): TransactItem[] {
  return [check(cx, keys.member(w.orgId, w.email), ABSENT)];
}
