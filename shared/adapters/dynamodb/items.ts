/**
 * Stored item shapes: each entity's attributes next to its key (from `shared/table/schema.ts`),
 * with one writer and one reader per entity so the attribute names live in one place.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import type { CompanyRecord, DomainClaimRecord, OrgRecord } from '../../model/records.ts';
import type { ScimGroupRecord, ScimTokenRecord, ScimUserRecord } from '../../model/scim.ts';
import type {
  Account,
  Connection,
  DomainEnforcement,
  Invitation,
  Membership,
  Notice,
  NoticeKind,
  PersonState,
  Role,
  TeamMembership,
  VerifiedDomain,
  Via,
} from '../../model/types.ts';
import type { BulkRunRecord } from '../../model/writes.ts';
import { BULK_RUN_STALE_MS, expiresAtFrom } from '../../rules/invitations.ts';
import { keys, prefix, type ScopeRef } from '../../table/schema.ts';
import type { OutboxTask } from '../../tasks.ts';

export type { CompanyRecord, DomainClaimRecord, OrgRecord };

/** The discriminator every item carries. */
export type Entity =
  | 'account'
  | 'usernameGuard'
  | 'org'
  | 'orgNameGuard'
  | 'company'
  | 'companyOrg'
  | 'companyOwner'
  | 'member'
  | 'orgOwner'
  | 'team'
  | 'teamMember'
  | 'invitation'
  | 'invitationDue'
  | 'bulkRun'
  | 'notice'
  | 'personSummary'
  | 'domainClaim'
  | 'domainVerified'
  | 'ssoConnection'
  | 'ssoProvider'
  | 'event'
  | 'outbox'
  | 'delivery'
  | 'scimToken'
  | 'scimUser'
  | 'scimGroup'
  | 'scimName'
  | 'scimDeactivated'
  | 'webhook'
  | 'webhookSecret'
  | 'webhookAttempt'
  | 'webhookReplay';

export type Item = Record<string, unknown> & { pk: string; sk: string; entity: Entity };

/** An attribute read as a string ('' when absent), or as a string or null. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const accountItem = (a: Account & { createdAt: string }): Item => ({
  ...keys.account(a.email),
  entity: 'account',
  email: a.email,
  username: a.username,
  name: a.name,
  createdAt: a.createdAt,
});

export const usernameGuardItem = (username: string, email: string): Item => ({
  ...keys.usernameGuard(username),
  entity: 'usernameGuard',
  username,
  email,
});

export const memberItem = (email: string, m: Membership): Item => ({
  ...keys.member(m.orgId, email),
  entity: 'member',
  email,
  orgId: m.orgId,
  orgName: m.orgName,
  role: m.role,
  via: m.via,
  joinedAt: m.joinedAt,
  ...(m.suspended ? { suspended: true } : {}),
});

/** An org's owner in the index the notifier reads (`PersonChanges` keeps it with the membership). */
export const orgOwnerItem = (orgId: string, email: string): Item => ({
  ...keys.orgOwner(orgId, email),
  entity: 'orgOwner',
  orgId,
  email,
});

export const teamMemberItem = (email: string, t: TeamMembership, at: string): Item => ({
  ...keys.teamMember(t.orgId, t.team, email),
  entity: 'teamMember',
  email,
  orgId: t.orgId,
  team: t.team,
  via: t.via,
  joinedAt: at,
});

export const invitationItem = (email: string, i: Invitation): Item => ({
  ...keys.invitation(i.orgId, email),
  entity: 'invitation',
  email,
  orgId: i.orgId,
  orgName: i.orgName,
  role: i.role,
  team: i.team,
  invitedBy: i.invitedBy,
  createdAt: i.createdAt,
  sentAt: i.sentAt,
  expiresAt: i.expiresAt,
  ...(i.expiredAt === undefined ? {} : { expiredAt: i.expiredAt }),
});

/** An invitation's entry on the lifecycle schedule, due at `dueAt` (SPEC §13). */
export const invitationDueItem = (email: string, orgId: string, dueAt: string): Item => ({
  ...keys.invitationDue(orgId, email),
  ...keys.lifecycleDue(dueAt, `${orgId}#${email}`),
  entity: 'invitationDue',
  orgId,
  email,
  dueAt,
});

/**
 * A bulk invitation run (SPEC §13). While in progress it is on the lifecycle schedule 15 minutes
 * on (a Lambda function runs at most that long), so that a run cut short gives its seats back.
 */
export const bulkRunItem = (r: BulkRunRecord): Item => ({
  ...keys.bulkRun(r.orgId, r.key),
  ...(r.status === 'in-progress'
    ? keys.lifecycleDue(
        new Date(Date.parse(r.startedAt) + BULK_RUN_STALE_MS).toISOString(),
        `BULK#${r.orgId}#${r.key}`,
      )
    : {}),
  entity: 'bulkRun',
  orgId: r.orgId,
  key: r.key,
  status: r.status,
  reserved: r.reserved,
  written: r.written,
  startedAt: r.startedAt,
  expiresAt: r.expiresAt,
  ttl: Math.ceil(Date.parse(r.expiresAt) / 1000),
  ...(r.answer === undefined ? {} : { answer: packAnswer(r.answer) }),
});

export const readBulkRun = (item: Record<string, unknown>): BulkRunRecord => ({
  orgId: str(item.orgId),
  key: str(item.key),
  status: str(item.status) as BulkRunRecord['status'],
  reserved: Number(item.reserved ?? 0),
  written: Number(item.written ?? 0),
  startedAt: str(item.startedAt),
  expiresAt: str(item.expiresAt),
  ...(item.answer instanceof Uint8Array ? { answer: unpackAnswer(item.answer) } : {}),
});

/**
 * A bulk run's answer as stored: gzipped JSON, so that 1,000 rows of long addresses and reasons
 * stay far below DynamoDB's 400 KB item size.
 */
export const packAnswer = (answer: string): Uint8Array => gzipSync(answer);
const unpackAnswer = (packed: Uint8Array): string => gunzipSync(packed).toString('utf8');

export const noticeItem = (email: string, kind: NoticeKind, orgId: string, at: string): Item => ({
  ...keys.notice(email, kind, orgId),
  entity: 'notice',
  kind,
  orgId,
  at,
});

/** The sign-in's copy of a verified domain (`DOMAIN#<d>` / `VERIFIED`). */
export const domainVerifiedItem = (d: VerifiedDomain & { verifiedAt: string }): Item => ({
  ...keys.domainVerified(d.domain),
  entity: 'domainVerified',
  domain: d.domain,
  scope: d.scope,
  autoProvisioning: d.autoProvisioning,
  ssoConnectionIds: d.ssoConnectionIds,
  ...(d.enforcement ? { enforcement: d.enforcement } : {}),
  verifiedAt: d.verifiedAt,
});

export function readVerifiedDomain(item: Record<string, unknown>): VerifiedDomain {
  const ap = item.autoProvisioning as { orgId?: unknown; orgName?: unknown } | null | undefined;
  return {
    domain: str(item.domain),
    scope: item.scope as ScopeRef,
    autoProvisioning:
      ap && typeof ap.orgId === 'string' ? { orgId: ap.orgId, orgName: str(ap.orgName) } : null,
    ssoConnectionIds: Array.isArray(item.ssoConnectionIds) ? item.ssoConnectionIds.map(str) : [],
    ...enforcementOf(item.enforcement),
  };
}

/** A verified domain's mirror of its connection's enforcement (SPEC §12), when it enforces. */
function enforcementOf(raw: unknown): { enforcement?: DomainEnforcement } {
  if (!raw || typeof raw !== 'object') return {};
  const e = raw as Record<string, unknown>;
  if (e.mode !== 'report' && e.mode !== 'on') return {};
  const d = (e.defaultOrg ?? {}) as { id?: unknown; name?: unknown };
  return {
    enforcement: {
      connectionId: str(e.connectionId),
      connectionName: str(e.connectionName),
      providerName: str(e.providerName),
      mode: e.mode,
      breakGlass: Array.isArray(e.breakGlass) ? e.breakGlass.map(str) : [],
      defaultOrg: { id: str(d.id), name: str(d.name) },
      companyId: strOrNull(e.companyId),
    },
  };
}

/** The sign-in's copy of an SSO connection (`PROVIDER#<name>` / `PROVIDER`). */
export const ssoProviderItem = ({ lastSignInOn: _kept, ...c }: Connection): Item => ({
  ...keys.ssoProvider(c.providerName),
  entity: 'ssoProvider',
  ...c,
});

export function readConnection(item: Record<string, unknown>): Connection {
  const d = item.defaultOrg as { id?: unknown; name?: unknown } | undefined;
  return {
    id: str(item.id),
    name: str(item.name),
    providerName: str(item.providerName),
    scope: item.scope as ScopeRef,
    domains: Array.isArray(item.domains) ? item.domains.map(str) : [],
    // Absent flags take the spec's defaults: JIT on, SCIM off.
    jit: item.jit !== false,
    scim: item.scim === true,
    defaultOrg: { id: str(d?.id), name: str(d?.name) },
    defaultTeam: strOrNull(item.defaultTeam),
    // SPEC §12: present only when the connection enforces or names break-glass owners.
    ...(item.enforcement === 'report' || item.enforcement === 'on'
      ? { enforcement: item.enforcement }
      : {}),
    ...(Array.isArray(item.breakGlass) && item.breakGlass.length
      ? { breakGlass: item.breakGlass.map(str) }
      : {}),
    // SPEC §12 no lockout: on the provider copy, once someone signed in through it.
    ...(typeof item.lastSignInOn === 'string' ? { lastSignInOn: item.lastSignInOn } : {}),
  };
}

/** Splits the items of a person's partition into their state. */
/** A membership item's membership. */
export const readMembership = (item: Record<string, unknown>): Membership => ({
  orgId: str(item.orgId),
  orgName: str(item.orgName),
  role: str(item.role) as Role,
  via: str(item.via) as Via,
  joinedAt: str(item.joinedAt),
  ...(item.suspended === true ? { suspended: true } : {}),
});

/** An invitation item's invitation. */
export const readInvitation = (item: Record<string, unknown>): Invitation => ({
  orgId: str(item.orgId),
  orgName: str(item.orgName),
  role: (str(item.role) as Role) || 'member',
  team: strOrNull(item.team),
  invitedBy: str(item.invitedBy),
  createdAt: str(item.createdAt),
  // Invitations stored before SPEC §13 were sent when created and expire 14 days on.
  sentAt: str(item.sentAt) || str(item.createdAt),
  expiresAt:
    str(item.expiresAt) ||
    (str(item.createdAt) ? expiresAtFrom(str(item.createdAt)) : new Date(0).toISOString()),
  ...(typeof item.expiredAt === 'string' ? { expiredAt: item.expiredAt } : {}),
});

export function readPerson(items: Record<string, unknown>[]): PersonState {
  const person: PersonState = {
    account: undefined,
    memberships: [],
    teamMemberships: [],
    invitations: [],
    notices: [],
  };
  for (const item of items) {
    const sk = str(item.sk);
    if (sk === 'ACCOUNT') {
      person.account = {
        email: str(item.email),
        username: str(item.username),
        name: strOrNull(item.name),
        ...(typeof item.createdAt === 'string' ? { createdAt: item.createdAt } : {}),
      };
    } else if (sk.startsWith(prefix.member) && sk.includes(prefix.teamInfix)) {
      person.teamMemberships.push({
        orgId: str(item.orgId),
        team: str(item.team),
        via: str(item.via) as Via,
      });
    } else if (sk.startsWith(prefix.member)) {
      person.memberships.push(readMembership(item));
    } else if (sk.startsWith(prefix.invitation)) {
      person.invitations.push(readInvitation(item));
    } else if (sk.startsWith(prefix.scimDeactivated)) {
      person.scimDeactivated = [...(person.scimDeactivated ?? []), str(item.connectionId)];
      person.scimDeactivations = [
        ...(person.scimDeactivations ?? []),
        {
          connectionId: str(item.connectionId),
          scope: (item.scope as ScopeRef | undefined) ?? null,
          orgIds: Array.isArray(item.orgIds) ? item.orgIds.map(str) : [],
        },
      ];
    } else if (sk.startsWith(prefix.notice)) {
      person.notices.push({
        kind: str(item.kind) as Notice['kind'],
        orgId: str(item.orgId),
        at: str(item.at),
      });
    }
  }
  return person;
}

/** How long outbox items are kept after they are written (the notifier reads them from the stream). */
export const OUTBOX_RETENTION_S = 14 * 24 * 60 * 60;

/**
 * An audit event; events of a company's org are also indexed for the company's activity. `seq`
 * is its number in its scope (SPEC §11), stamped by the one sender (`event-seq.ts`) just before
 * the transaction goes out; `null` keys it as an event from before numbering (by time).
 */
export function eventItem(
  e: {
    type: string;
    orgId: string | null;
    companyId: string | null;
    actor: string;
    subject: string;
    details: Record<string, unknown>;
  },
  id: string,
  at: string,
  seq: number | null,
): Item {
  const scope = eventScope(e);
  return {
    ...(seq === null ? keys.unnumberedEvent(scope, at, id) : keys.event(scope, seq)),
    ...(e.companyId ? keys.companyEventIndex(e.companyId, at, id) : {}),
    entity: 'event',
    id,
    ...(seq === null ? {} : { seq }),
    type: e.type,
    at,
    actor: e.actor,
    subject: e.subject,
    orgId: e.orgId,
    companyId: e.companyId,
    details: e.details,
  };
}

/** The scope an event is stored and numbered in: its org, or its company for a company-level one. */
export function eventScope(e: { orgId: string | null; companyId: string | null }): ScopeRef {
  if (e.orgId) return { type: 'org', id: e.orgId };
  if (e.companyId) return { type: 'company', id: e.companyId };
  throw new Error('An event names an org or a company');
}

/** An outbox item: one notification for the stream-triggered notifier. */
export function outboxItem(n: { type: string; orgId: string }, id: string, at: string): Item {
  return {
    ...keys.outbox(id),
    entity: 'outbox',
    id,
    createdAt: at,
    ttl: Math.floor(Date.parse(at) / 1000) + OUTBOX_RETENTION_S,
    notification: n,
  };
}

/**
 * An outbox task item (`shared/tasks.ts`): work the stream worker does after the transaction
 * commits, on the outbox's key so that the same stream filter wakes it.
 */
export function outboxTaskItem(task: OutboxTask, id: string, at: string): Item {
  const { notification: _none, ...item } = outboxItem({ type: task.type, orgId: '' }, id, at);
  return { ...item, task };
}

export const orgItem = (o: OrgRecord): Item => ({ ...keys.org(o.id), entity: 'org', ...o });

export function readOrg(item: Record<string, unknown>): OrgRecord {
  return {
    id: str(item.id),
    name: str(item.name),
    companyId: strOrNull(item.companyId),
    seatLimit: typeof item.seatLimit === 'number' ? item.seatLimit : null,
    seatsUsed: typeof item.seatsUsed === 'number' ? item.seatsUsed : 0,
    ownerCount: typeof item.ownerCount === 'number' ? item.ownerCount : 0,
    createdAt: str(item.createdAt),
  };
}

export const orgNameGuardItem = (name: string, orgId: string, companyId: string | null): Item => ({
  ...keys.orgNameGuard(name),
  entity: 'orgNameGuard',
  name,
  orgId,
  companyId,
});

export const companyItem = (c: CompanyRecord): Item => ({
  ...keys.company(c.id),
  entity: 'company',
  ...c,
});

export const companyOrgItem = (companyId: string, orgId: string, name: string): Item => ({
  ...keys.companyOrg(companyId, orgId),
  entity: 'companyOrg',
  companyId,
  orgId,
  name,
});

export const companyOwnerItem = (
  companyId: string,
  companyName: string,
  email: string,
  at: string,
): Item => ({
  ...keys.companyOwner(companyId, email),
  entity: 'companyOwner',
  companyId,
  companyName,
  email,
  createdAt: at,
});

export const teamItem = (orgId: string, name: string, memberCount: number, at: string): Item => ({
  ...keys.team(orgId, name),
  entity: 'team',
  orgId,
  name,
  memberCount,
  createdAt: at,
});

export const domainClaimItem = (c: DomainClaimRecord): Item => ({
  ...keys.domainClaim(c.scope, c.domain),
  ...(c.nextCheckAt ? keys.domainCheck(c.nextCheckAt, c.domain) : {}),
  entity: 'domainClaim',
  ...c,
});

export function readDomainClaim(item: Record<string, unknown>): DomainClaimRecord {
  const ap = (item.autoProvisioning ?? {}) as { enabled?: unknown; orgId?: unknown };
  return {
    domain: str(item.domain),
    scope: item.scope as ScopeRef,
    status: item.status === 'verified' ? 'verified' : 'pending',
    txtValue: str(item.txtValue),
    autoProvisioning: { enabled: ap.enabled === true, orgId: strOrNull(ap.orgId) },
    ssoConnectionIds: Array.isArray(item.ssoConnectionIds) ? item.ssoConnectionIds.map(str) : [],
    addedAt: str(item.addedAt),
    verifiedAt: strOrNull(item.verifiedAt),
    missingSince: strOrNull(item.missingSince),
    nextCheckAt: strOrNull(item.nextCheckAt),
  };
}

/** An SSO connection's own item, under its scope (the provider item is its sign-in copy). */
export const ssoConnectionItem = ({
  lastSignInOn: _providerOnly,
  ...c
}: Connection & { createdAt: string }): Item => ({
  ...keys.ssoConnection(c.scope, c.id),
  entity: 'ssoConnection',
  ...c,
});

/**
 * A person the connection's SCIM client deactivated or deleted (SPEC §10), mirrored in the
 * summary with what it covers: the connection's scope and the scope's orgs (`ScimDeactivation`).
 */
export const scimDeactivatedItem = (
  email: string,
  connectionId: string,
  at: string,
  cover: { scope: ScopeRef; orgIds: string[] } | undefined,
): Item => ({
  ...keys.scimDeactivated(email, connectionId),
  entity: 'scimDeactivated',
  email,
  connectionId,
  at,
  ...(cover ? { scope: { type: cover.scope.type, id: cover.scope.id }, orgIds: cover.orgIds } : {}),
});

// ---- SCIM (SPEC §10) -----------------------------------------------------------------------

export const scimTokenItem = (t: ScimTokenRecord): Item => ({
  ...keys.scimToken(t.connectionId),
  entity: 'scimToken',
  connectionId: t.connectionId,
  scope: { type: t.scope.type, id: t.scope.id },
  tokenHash: t.tokenHash,
  createdAt: t.createdAt,
  createdBy: t.createdBy,
});

export const readScimToken = (item: Record<string, unknown>): ScimTokenRecord => ({
  connectionId: str(item.connectionId),
  scope: item.scope as ScopeRef,
  tokenHash: str(item.tokenHash),
  createdAt: str(item.createdAt),
  createdBy: str(item.createdBy),
});

export const scimUserItem = (connectionId: string, u: ScimUserRecord): Item => ({
  ...keys.scimUser(connectionId, u.id),
  entity: 'scimUser',
  ...u,
});

/** What a stored SCIM user and group both keep: the resource as written, its times, its version. */
const readScimResource = (item: Record<string, unknown>) => ({
  id: str(item.id),
  externalId: strOrNull(item.externalId),
  attributes: (item.attributes ?? {}) as Record<string, unknown>,
  created: str(item.created),
  lastModified: str(item.lastModified),
  version: Number(item.version ?? 1),
});

export const readScimUser = (item: Record<string, unknown>): ScimUserRecord => ({
  ...readScimResource(item),
  userName: str(item.userName),
  email: str(item.email),
  active: item.active === true,
});

export const scimGroupItem = (connectionId: string, g: ScimGroupRecord): Item => ({
  ...keys.scimGroup(connectionId, g.id),
  entity: 'scimGroup',
  ...g,
});

export const readScimGroup = (item: Record<string, unknown>): ScimGroupRecord => ({
  ...readScimResource(item),
  displayName: str(item.displayName),
  members: Array.isArray(item.members) ? item.members.map(str) : [],
});

export const scimNameItem = (
  connectionId: string,
  what: 'user' | 'group',
  key: string,
  id: string,
): Item => ({
  ...(what === 'user'
    ? keys.scimUserName(connectionId, key)
    : keys.scimGroupName(connectionId, key)),
  entity: 'scimName',
  id,
});
