/**
 * What every admin operation shares: the caller and dependencies, scope resolution (404 for
 * what the caller does not administer), the scope rules (409), event records and the views
 * the API answers with. Pure apart from the store reads it is handed.
 */
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Page, PageRequest } from '../model/page.ts';
import type {
  AdminDeps,
  AdminStore,
  Caller,
  CompanyRecord,
  ConnectionRecord,
  DomainClaimRecord,
  EventRecord,
  InvitationRecord,
  MemberRecord,
  NotificationRecord,
  OrgAccess,
  OrgRecord,
  ScopeContext,
  StoredEvent,
  TeamRecord,
} from '../model/writes.ts';
import { invitationStatus } from '../rules/invitations.ts';
import { countsAsOwner } from '../rules/owners.ts';
import { type ServiceProviderContext, serviceProviderInfo } from '../sso/identity-providers.ts';
import type {
  DomainView,
  EventView,
  InvitationView,
  MemberView,
  OrgView,
  SsoConnectionView,
  TeamView,
} from './schemas.ts';

/** One request's caller and dependencies. */
export interface Ctx {
  deps: AdminDeps;
  caller: Caller;
  /** The request's time, read once so that every record of a change carries the same. */
  at: string;
}

/** What records of a change need: who, when, and new ids (an admin request or a SCIM client). */
export interface RecordCtx {
  deps: Pick<AdminDeps, 'newId'>;
  caller: Caller;
  at: string;
}

/**
 * SPEC §5: org routes are for the org's owners and the owners of its company; SPEC §10: not for
 * a suspended owner, nor for anyone a connection's SCIM client deactivated for the org, whatever
 * else they are.
 */
export const administersOrg = (access: OrgAccess): boolean =>
  !access.scimDeactivated && (ownsOrg(access) || access.companyOwner);

/** Whether the caller is an owner of the org in effect: not suspended, not SCIM deactivated. */
export const ownsOrg = (access: OrgAccess): boolean =>
  countsAsOwner(access) && !access.scimDeactivated;

/** The org, when the caller administers it; 404 otherwise (existence is not revealed). */
export async function resolveOrg(
  ctx: Pick<Ctx, 'deps' | 'caller'>,
  orgId: string,
): Promise<OrgRecord> {
  const access = await ctx.deps.store.orgAccess(orgId, ctx.caller.email);
  if (!access || !administersOrg(access)) throw new NotFoundError(`Org ${orgId} not found`);
  return access.org;
}

/** The company, when the caller owns it; 404 otherwise. */
export async function resolveCompany(
  ctx: Pick<Ctx, 'deps' | 'caller'>,
  companyId: string,
): Promise<CompanyRecord> {
  const company = await ctx.deps.store.ownedCompany(companyId, ctx.caller.email);
  if (!company) throw new NotFoundError(`Company ${companyId} not found`);
  return company;
}

export const orgScope = (org: OrgRecord): ScopeContext => ({
  type: 'org',
  org,
  ref: { type: 'org', id: org.id },
});

export const companyScope = (company: CompanyRecord): ScopeContext => ({
  type: 'company',
  company,
  ref: { type: 'company', id: company.id },
});

/** SPEC §1: an org in a company has its domains and SSO connections managed by the company. */
export function requireOwnDomainsAndSso(scope: ScopeContext, what: string): void {
  if (scope.type === 'org' && scope.org.companyId) {
    const companyId = scope.org.companyId;
    throw new ConflictError(
      what === 'domain audit'
        ? `Org ${scope.org.name} belongs to company ${companyId}: its domains are the company's; use /v1/companies/${companyId}/domain-audit`
        : `Org ${scope.org.name} belongs to company ${companyId}: its ${what} are managed by the company; use /v1/companies/${companyId}/${what === 'domains' ? 'domains' : 'sso-connections'}`,
      { extra: { companyId } },
    );
  }
}

/** Human name of a scope, for messages. */
export const scopeName = (scope: ScopeContext): string =>
  scope.type === 'org' ? `org ${scope.org.name}` : `company ${scope.company.name}`;

/** An audit event about the scope: stored in the org (listed for its company too), or in the company. */
export function newEvent(
  ctx: RecordCtx,
  where: ScopeContext | OrgRecord,
  type: EventRecord['type'],
  subject: string,
  details: Record<string, unknown> = {},
): EventRecord {
  const scope = 'type' in where ? where : orgScope(where);
  return {
    id: ctx.deps.newId(),
    at: ctx.at,
    type,
    orgId: scope.type === 'org' ? scope.org.id : null,
    companyId: scope.type === 'org' ? scope.org.companyId : scope.company.id,
    actor: ctx.caller.email,
    subject,
    details,
  };
}

/** An outbox notification about the scope (SPEC §4). */
export function newNotification(
  ctx: RecordCtx,
  where: ScopeContext | OrgRecord,
  type: NotificationRecord['type'],
  person: { email: string; name: string | null },
  details: Record<string, unknown>,
): NotificationRecord {
  const scope = 'type' in where ? where : orgScope(where);
  return {
    id: ctx.deps.newId(),
    at: ctx.at,
    type,
    orgId: scope.type === 'org' ? scope.org.id : '',
    orgName: scope.type === 'org' ? scope.org.name : scope.company.name,
    companyId: scope.type === 'org' ? scope.org.companyId : scope.company.id,
    email: person.email,
    name: person.name,
    details,
  };
}

// ---- views -------------------------------------------------------------------------------

export const orgView = (org: OrgRecord): OrgView => ({
  id: org.id,
  name: org.name,
  companyId: org.companyId,
  seatLimit: org.seatLimit,
  seatsUsed: org.seatsUsed,
});

export const memberView = (m: MemberRecord): MemberView => ({
  email: m.email,
  username: m.username,
  name: m.name,
  role: m.membership.role,
  teams: m.teams.map((t) => t.team).sort(),
  via: m.membership.via,
  joinedAt: m.membership.joinedAt,
  ...(m.membership.suspended ? { suspended: true as const } : {}),
});

/** An invitation as the API answers it at `at` (SPEC §13: its status from its expiry). */
export const invitationView = (
  { email, invitation: i }: InvitationRecord,
  { at }: Pick<Ctx, 'at'>,
): InvitationView => ({
  email,
  role: i.role,
  team: i.team,
  invitedBy: i.invitedBy,
  createdAt: i.createdAt,
  status: invitationStatus(i, new Date(at)),
  expiresAt: i.expiresAt,
  sentAt: i.sentAt,
});

export const teamView = (t: TeamRecord): TeamView => ({ name: t.name, memberCount: t.memberCount });

export const eventView = (e: StoredEvent): EventView => ({
  id: e.id,
  seq: e.seq,
  type: e.type,
  at: e.at,
  actor: e.actor,
  subject: e.subject,
  orgId: e.orgId,
  details: e.details,
});

/** A page of records as the API answers it. */
const pageOf = <R, V>(page: Page<R>, view: (r: R) => V): Page<V> => ({
  items: page.items.map(view),
  nextCursor: page.nextCursor,
});

/**
 * A list operation of the API: the page the store lists under an org or a scope, as views
 * (`view` is handed the request's context too).
 */
export const listOf =
  <Under, R, V>(
    list: (store: AdminStore, under: Under, page: PageRequest) => Promise<Page<R>>,
    view: (record: R, ctx: Ctx) => V,
  ) =>
  async (ctx: Ctx, under: Under, page: PageRequest): Promise<Page<V>> =>
    pageOf(await list(ctx.deps.store, under, page), (record) => view(record, ctx));

export const domainView = (c: DomainClaimRecord): DomainView => ({
  domain: c.domain,
  status: c.status,
  txtRecord: { name: c.domain, value: c.txtValue },
  autoProvisioning: {
    enabled: c.autoProvisioning.enabled,
    orgId: c.autoProvisioning.enabled ? c.autoProvisioning.orgId : null,
  },
  ssoConnectionId: c.ssoConnectionIds[0] ?? null,
  verifiedAt: c.verifiedAt,
  nextCheckAt: c.nextCheckAt,
  missingSince: c.missingSince,
  checkExpired: c.status === 'pending' && c.nextCheckAt === null,
});

/**
 * A connection as the API answers it: never a client secret; `active` while it serves a domain
 * (SPEC §8); for a provider Provisio created, what to paste into the IdP.
 */
export const connectionView = (
  c: ConnectionRecord,
  sp: ServiceProviderContext,
): SsoConnectionView => ({
  id: c.id,
  name: c.name,
  providerName: c.providerName,
  idp: { ...c.idp },
  serviceProvider: c.idp.source === 'created' ? serviceProviderInfo(c.idp.type, sp) : null,
  domains: [...c.domains],
  active: c.domains.length > 0,
  jit: c.jit,
  scim: c.scim,
  defaultOrgId: c.defaultOrg.id,
  defaultTeam: c.defaultTeam,
  enforcement: c.enforcement ?? 'off',
  breakGlass: [...(c.breakGlass ?? [])],
  createdAt: c.createdAt,
});
