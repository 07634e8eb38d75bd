/** Company items: the company, its owners (mirrored in their summaries) and its orgs. */
import { companyItem, companyOrgItem, companyOwnerItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import { ABSENT, put, type WriteContext, type WriteOf } from './context.ts';

export function putCompany(cx: WriteContext, w: WriteOf<'putCompany'>): TransactItem[] {
  return [put(cx, companyItem(w.company), ABSENT)];
}

export function putCompanyOwner(cx: WriteContext, w: WriteOf<'putCompanyOwner'>): TransactItem[] {
  const item = companyOwnerItem(w.companyId, w.companyName, w.email, w.at);
  cx.summary.put(item);
  return [put(cx, item)];
}

export function putCompanyOrg(cx: WriteContext, w: WriteOf<'putCompanyOrg'>): TransactItem[] {
  return [put(cx, companyOrgItem(w.companyId, w.orgId, w.name))];
}
