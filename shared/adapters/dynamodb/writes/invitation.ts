/** Invitation items (`ACCOUNT#<email>` / `INVITATION#<orgId>`); their seat is the org's counter. */
import { keys } from '../../../table/schema.ts';
import { invitationItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import { ABSENT, del, EXISTS, put, type WriteContext, type WriteOf } from './context.ts';

export function putInvitation(cx: WriteContext, w: WriteOf<'putInvitation'>): TransactItem[] {
  const item = invitationItem(w.email, w.invitation);
  cx.summary.put(item);
  return [put(cx, item, ABSENT)];
}

export function deleteInvitation(cx: WriteContext, w: WriteOf<'deleteInvitation'>): TransactItem[] {
  cx.summary.delete(keys.invitation(w.orgId, w.email));
  return [del(cx, keys.invitation(w.orgId, w.email), EXISTS)];
}
