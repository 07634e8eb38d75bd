/**
 * SPEC §13 domain audit: the accounts on a scope's verified domains that are not members of the
 * org (at company scope: of any org of the company), read from the index by email domain
 * (docs/data-model.md), never a Scan. Who is listed is decided here (`auditRow`); the store
 * pages through the index and keeps the rows it is handed.
 */
import type { Page, PageRequest } from '../model/page.ts';
import type {
  AdminStore,
  DomainAuditCandidate,
  DomainAuditRecord,
  ScopeContext,
} from '../model/writes.ts';
import { invitationStatus } from '../rules/invitations.ts';
import type { Ctx } from './context.ts';
import type { DomainAuditView } from './schemas.ts';

/** The most rows one CSV export answers; a longer audit carries the cursor to go on from. */
export const CSV_MAX_ROWS = 10_000;

/** The CSV's columns, in order: the JSON row's fields. */
export const DOMAIN_AUDIT_COLUMNS = [
  'email',
  'username',
  'name',
  'lastSignInOn',
  'lastSignInMethod',
  'status',
] as const satisfies readonly (keyof DomainAuditView)[];

/**
 * Whether an invitation still holds its offer at `now`: an expired one (SPEC §13 expiry) does not
 * make its invitee `invited`.
 */
const pending = (i: DomainAuditCandidate['invitations'][number], now: string): boolean =>
  invitationStatus(i, new Date(now)) === 'pending';

/**
 * The audit's row of an account, or none: a member of any of `orgIds` is not listed; one with a
 * pending invitation to any of them is `invited`, any other `uncaptured`.
 */
export function auditRow(
  candidate: DomainAuditCandidate,
  orgIds: ReadonlySet<string>,
  now: string,
): DomainAuditRecord | undefined {
  if (candidate.memberOf.some((id) => orgIds.has(id))) return undefined;
  const invited = candidate.invitations.some((i) => orgIds.has(i.orgId) && pending(i, now));
  return {
    email: candidate.email,
    username: candidate.username,
    name: candidate.name,
    lastSignInOn: candidate.lastSignInOn,
    lastSignInMethod: candidate.lastSignInMethod,
    status: invited ? 'invited' : 'uncaptured',
  };
}

/** The scope's verified domains, in name order (a scope has few: read whole). */
async function verifiedDomains(store: AdminStore, scope: ScopeContext): Promise<string[]> {
  const domains: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listClaims(scope.ref, { limit: 100, cursor });
    for (const claim of page.items) if (claim.status === 'verified') domains.push(claim.domain);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return domains.sort();
}

/** The orgs whose members the audit leaves out: the org, or every org of the company. */
async function auditedOrgs(store: AdminStore, scope: ScopeContext): Promise<Set<string>> {
  if (scope.type === 'org') return new Set([scope.org.id]);
  return new Set((await store.companyOrgs(scope.company.id)).map((o) => o.id));
}

/** What one audit reads once per request: the domains and the orgs. */
async function auditOf(ctx: Ctx, scope: ScopeContext) {
  const [domains, orgIds] = await Promise.all([
    verifiedDomains(ctx.deps.store, scope),
    auditedOrgs(ctx.deps.store, scope),
  ]);
  return {
    domains,
    row: (c: DomainAuditCandidate) => auditRow(c, orgIds, ctx.at),
  };
}

const view = (r: DomainAuditRecord): DomainAuditView => ({ ...r });

/** `GET /v1/{scope}/domain-audit`: one page, in domain then email order. */
export async function domainAudit(
  ctx: Ctx,
  scope: ScopeContext,
  page: PageRequest,
): Promise<Page<DomainAuditView>> {
  const { domains, row } = await auditOf(ctx, scope);
  if (domains.length === 0) {
    // No verified domain: nothing to list, and no cursor could have been issued.
    if (page.cursor) await ctx.deps.store.listDomainAudit([], row, page);
    return { items: [], nextCursor: null };
  }
  const out = await ctx.deps.store.listDomainAudit(domains, row, page);
  return { items: out.items.map(view), nextCursor: out.nextCursor };
}

/**
 * `GET /v1/{scope}/domain-audit?format=csv`: every row from `cursor` (the start when absent), at
 * most `CSV_MAX_ROWS`; `nextCursor` says where a longer audit goes on.
 */
export async function domainAuditAll(
  ctx: Ctx,
  scope: ScopeContext,
  cursor: string | undefined,
): Promise<{ rows: DomainAuditView[]; nextCursor: string | null }> {
  const { domains, row } = await auditOf(ctx, scope);
  const rows: DomainAuditView[] = [];
  if (domains.length === 0) {
    if (cursor) await ctx.deps.store.listDomainAudit([], row, { limit: 1, cursor });
    return { rows, nextCursor: null };
  }
  let next: string | undefined = cursor;
  do {
    const page = await ctx.deps.store.listDomainAudit(domains, row, {
      limit: Math.min(100, CSV_MAX_ROWS - rows.length),
      cursor: next,
    });
    rows.push(...page.items.map(view));
    next = page.nextCursor ?? undefined;
  } while (next && rows.length < CSV_MAX_ROWS);
  return { rows, nextCursor: next ?? null };
}
