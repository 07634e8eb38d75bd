/**
 * Invitation items (`ACCOUNT#<email>` / `INVITATION#<orgId>`), their entries on the lifecycle
 * schedule (`ORG#<orgId>` / `INVITEDUE#<email>`, SPEC §13) and bulk runs (`ORG#<orgId>` /
 * `BULK#<key>`); their seats are the org's counter (org.ts).
 */
import type { Invitation } from '../../../model/types.ts';
import { lifecycleDueAt } from '../../../rules/invitations.ts';
import { keys } from '../../../table/schema.ts';
import { bulkRunItem, invitationDueItem, invitationItem, packAnswer } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import {
  ABSENT,
  type Condition,
  del,
  EXISTS,
  put,
  update,
  type WriteContext,
  type WriteOf,
} from './context.ts';

const dueEntry = (cx: WriteContext, email: string, i: Invitation): TransactItem =>
  put(cx, invitationDueItem(email, i.orgId, lifecycleDueAt(i)));

/**
 * Stored as read: sent at the same time (items from before SPEC §13 have no `sentAt`: their
 * creation), expiring at the same time and expired (or not) alike.
 */
function asRead(i: Invitation): Condition {
  return {
    expression: `attribute_exists(pk) AND (sentAt = :sent OR (attribute_not_exists(sentAt) AND createdAt = :sent)) AND ${
      i.expiredAt === undefined ? 'attribute_not_exists(expiredAt)' : 'expiredAt = :expired'
    }`,
    values: {
      ':sent': i.sentAt,
      ...(i.expiredAt === undefined ? {} : { ':expired': i.expiredAt }),
    },
  };
}

export function putInvitation(cx: WriteContext, w: WriteOf<'putInvitation'>): TransactItem[] {
  const item = invitationItem(w.email, w.invitation);
  cx.summary.put(item);
  return [put(cx, item, ABSENT), dueEntry(cx, w.email, w.invitation)];
}

export function updateInvitation(cx: WriteContext, w: WriteOf<'updateInvitation'>): TransactItem[] {
  const item = invitationItem(w.email, w.after);
  cx.summary.put(item);
  return [put(cx, item, asRead(w.before)), dueEntry(cx, w.email, w.after)];
}

export function deleteInvitation(cx: WriteContext, w: WriteOf<'deleteInvitation'>): TransactItem[] {
  cx.summary.delete(keys.invitation(w.orgId, w.email));
  return [
    del(cx, keys.invitation(w.orgId, w.email), w.asRead ? asRead(w.asRead) : EXISTS),
    del(cx, keys.invitationDue(w.orgId, w.email)),
  ];
}

export function startBulkRun(cx: WriteContext, w: WriteOf<'startBulkRun'>): TransactItem[] {
  const condition: Condition = w.replaces
    ? {
        expression: '#status = :was AND startedAt = :started',
        values: { ':was': w.replaces.status, ':started': w.replaces.startedAt },
        names: { '#status': 'status' },
      }
    : ABSENT;
  return [put(cx, bulkRunItem(w.run), condition)];
}

const IN_PROGRESS: Condition = {
  expression: '#status = :running',
  values: { ':running': 'in-progress' },
  names: { '#status': 'status' },
};

export function bulkRunProgress(cx: WriteContext, w: WriteOf<'bulkRunProgress'>): TransactItem[] {
  return [
    update(cx, keys.bulkRun(w.orgId, w.key), 'ADD written :n', IN_PROGRESS, { ':n': w.count }),
  ];
}

export function finishBulkRun(cx: WriteContext, w: WriteOf<'finishBulkRun'>): TransactItem[] {
  const condition: Condition =
    w.written === undefined
      ? IN_PROGRESS
      : {
          expression: `${IN_PROGRESS.expression} AND written = :written`,
          values: { ...IN_PROGRESS.values, ':written': w.written },
          names: IN_PROGRESS.names ?? {},
        };
  return [
    update(
      cx,
      keys.bulkRun(w.orgId, w.key),
      `SET #status = :status${w.answer === undefined ? '' : ', answer = :answer'} REMOVE gsi1pk, gsi1sk`,
      condition,
      {
        ':status': w.status,
        ...(w.answer === undefined ? {} : { ':answer': packAnswer(w.answer) }),
      },
      { '#status': 'status' },
    ),
  ];
}
