/**
 * Domain items: a scope's claim (`…/DOMAIN#<d>`) and the sign-in's copy of a verified domain
 * (`DOMAIN#<d>` / `VERIFIED`, one verifier per domain).
 */
import type { ScopeRef } from '../../../table/schema.ts';
import { keys } from '../../../table/schema.ts';
import { type DomainClaimRecord, domainClaimItem, domainVerifiedItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import type { Condition, WriteContext, WriteOf } from './context.ts';
import { ABSENT, del, put, setRemove, update } from './context.ts';

/** A claim is still as read: its status, auto-provisioning and connections. */
const claimAsRead = (c: DomainClaimRecord): Condition => ({
  // txtValue tells a claim from one removed and added again meanwhile (a new token).
  expression:
    'attribute_exists(pk) AND #status = :bStatus AND autoProvisioning = :bAp AND ssoConnectionIds = :bIds AND txtValue = :bTxt',
  values: {
    ':bStatus': c.status,
    ':bTxt': c.txtValue,
    ':bAp': { enabled: c.autoProvisioning.enabled, orgId: c.autoProvisioning.orgId },
    ':bIds': c.ssoConnectionIds,
  },
  names: { '#status': 'status' },
});

/** The verified copy is this scope's. */
const verifiedBy = (scope: ScopeRef, orAbsent = false): Condition => ({
  expression: `${orAbsent ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)'} ${orAbsent ? 'OR' : 'AND'} #scope = :mine`,
  values: { ':mine': { type: scope.type, id: scope.id } },
  names: { '#scope': 'scope' },
});

export function putClaim(cx: WriteContext, w: WriteOf<'putClaim'>): TransactItem[] {
  return [put(cx, domainClaimItem(w.claim), ABSENT)];
}

export function updateClaim(cx: WriteContext, w: WriteOf<'updateClaim'>): TransactItem[] {
  const sets: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  // Only what changed, so a concurrent domain-checker write to other fields is kept.
  const fields = [
    'status',
    'autoProvisioning',
    'ssoConnectionIds',
    'verifiedAt',
    'missingSince',
    'nextCheckAt',
  ] as const;
  for (const f of fields) {
    if (JSON.stringify(w.before[f]) === JSON.stringify(w.after[f])) continue;
    names[`#${f}`] = f;
    values[`:${f}`] = w.after[f];
    sets.push(`#${f} = :${f}`);
  }
  if (w.before.nextCheckAt !== w.after.nextCheckAt) {
    if (w.after.nextCheckAt) {
      const due = keys.domainCheck(w.after.nextCheckAt, w.after.domain);
      sets.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
      values[':gsi1pk'] = due.gsi1pk;
      values[':gsi1sk'] = due.gsi1sk;
    } else {
      removes.push('gsi1pk', 'gsi1sk');
    }
  }
  if (!sets.length && !removes.length) return [];
  const expression = setRemove(sets, removes);
  return [
    update(
      cx,
      keys.domainClaim(w.before.scope, w.before.domain),
      expression,
      claimAsRead(w.before),
      values,
      names,
    ),
  ];
}

export function deleteClaim(cx: WriteContext, w: WriteOf<'deleteClaim'>): TransactItem[] {
  return [del(cx, keys.domainClaim(w.claim.scope, w.claim.domain), claimAsRead(w.claim))];
}

export function putVerified(cx: WriteContext, w: WriteOf<'putVerified'>): TransactItem[] {
  const item = domainVerifiedItem({
    domain: w.domain,
    scope: w.scope,
    autoProvisioning: w.autoProvisioning,
    ssoConnectionIds: w.ssoConnectionIds,
    verifiedAt: w.verifiedAt,
  });
  // One verifier per domain.
  return [put(cx, item, verifiedBy(w.scope, true))];
}

export function updateVerified(cx: WriteContext, w: WriteOf<'updateVerified'>): TransactItem[] {
  const sets: string[] = [];
  const values: Record<string, unknown> = {};
  if (w.autoProvisioning !== undefined) {
    sets.push('autoProvisioning = :ap');
    values[':ap'] = w.autoProvisioning;
  }
  if (w.ssoConnectionIds !== undefined) {
    sets.push('ssoConnectionIds = :ids');
    values[':ids'] = w.ssoConnectionIds;
  }
  // SPEC §12: the serving connection's enforcement, or none.
  const removes: string[] = [];
  if (w.enforcement) {
    sets.push('enforcement = :enforcement');
    values[':enforcement'] = w.enforcement;
  } else if (w.enforcement === null) {
    removes.push('enforcement');
  }
  if (!sets.length && !removes.length) return [];
  const expression = setRemove(sets, removes);
  return [update(cx, keys.domainVerified(w.domain), expression, verifiedBy(w.scope), values)];
}

export function deleteVerified(cx: WriteContext, w: WriteOf<'deleteVerified'>): TransactItem[] {
  return [del(cx, keys.domainVerified(w.domain), verifiedBy(w.scope))];
}
