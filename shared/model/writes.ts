/**
 * The admin core's vocabulary: who calls, what a scope is, what a change writes (`Write`, the
 * plan the core decides and the store applies in one transaction), and the store port.
 */

import type { AppError } from '../errors.ts';
import type {
  BoundProviders,
  IdentityProviders,
  ProviderSource,
  ServiceProviderContext,
} from '../sso/identity-providers.ts';
import type { ScopeRef } from '../table/schema.ts';
import type { OutboxTask } from '../tasks.ts';
import type { Page, PageRequest } from './page.ts';
import type { CompanyRecord, DomainClaimRecord, OrgRecord } from './records.ts';
import type { ScimGroupRecord, ScimTokenRecord, ScimUserRecord } from './scim.ts';
import type {
  Account,
  Connection,
  DomainEnforcement,
  EventType,
  Invitation,
  Membership,
  NoticeKind,
  PersonState,
  PlannedNotification,
  Role,
  SignInMethod,
  Via,
} from './types.ts';
import type { WebhookAdminDeps, WebhookRecord, WebhookReplay } from './webhooks.ts';

export type { CompanyRecord, DomainClaimRecord, OrgRecord };

/** What the admin API's door reads for a token (SPEC §8, §12). */
export interface CallerLookup {
  /** The connection naming the token's provider, when one was asked for and one does. */
  connection: Connection | undefined;
  /** The enforcement the email's verified domain mirrors, when its connection enforces. */
  enforcement: DomainEnforcement | undefined;
}

/** The authenticated caller: the normalised `email` claim of their token. */
export interface Caller {
  email: string;
}

/** What the caller may administer, resolved before anything else (404 otherwise). */
export type ScopeContext =
  | { type: 'org'; org: OrgRecord; ref: ScopeRef }
  | { type: 'company'; company: CompanyRecord; ref: ScopeRef };

/** An SSO connection as stored: the sign-in's `Connection` plus bookkeeping. */
export interface ConnectionRecord extends Connection {
  /** Whether Provisio created the provider (and from what settings) or the operator bound it (SPEC §8). */
  idp: ProviderSource;
  createdAt: string;
  /** Optimistic-lock revision, +1 on every write. */
  rev: number;
}

/** An audit event to write (SPEC §5 event types). */
export interface EventRecord {
  id: string;
  at: string;
  type: EventType;
  /** The org it concerns; null for company-level changes. */
  orgId: string | null;
  /** The company whose activity lists it (the org's company, or the company itself). */
  companyId: string | null;
  actor: string;
  subject: string;
  details: Record<string, unknown>;
}

/** An event as stored: with `seq`, its number in its scope (SPEC §11); null when written before numbering. */
export interface StoredEvent extends EventRecord {
  seq: number | null;
}

/**
 * An outbox notification (SPEC §4), in the shape the notifier reads (`shared/notifications/render.ts`).
 * For a company as a whole (a company-level domain) `orgId` is `''` and `orgName` is the
 * company's name: the company's owners are told.
 */
export interface NotificationRecord extends PlannedNotification {
  id: string;
  at: string;
}

/** A pending invitation as stored, with the invitee. */
export interface InvitationRecord {
  email: string;
  invitation: Invitation;
}

/**
 * A bulk invitation run (SPEC §13) under its idempotency key: while `in-progress` it holds the
 * `reserved` seats of which `written` went to invitations; `done` keeps the answer to repeat for
 * 24 h (`expiresAt`).
 */
export interface BulkRunRecord {
  orgId: string;
  key: string;
  status: 'in-progress' | 'done' | 'failed';
  reserved: number;
  written: number;
  startedAt: string;
  expiresAt: string;
  /** The answer of a finished run, as JSON. */
  answer?: string | undefined;
}

/** A team as stored: its name and how many people it counts. */
export interface TeamRecord {
  name: string;
  memberCount: number;
}

/** A member as stored in the person's partition. */
export interface MemberRecord {
  email: string;
  membership: Membership;
  teams: { team: string; via: string }[];
  username: string | null;
  name: string | null;
}

/** A change to an org's seat counter; its delta and guard are in shared/rules/seats.ts. */
export type SeatChange =
  | 'member-joins'
  | 'invitation-created'
  | 'invitation-accepted'
  | 'invitation-accepted-by-member'
  | 'invitation-revoked'
  | 'invitation-expired'
  | 'invitation-renewed'
  | 'member-removed';

/** A change to an org's owner count; its delta and guard are in shared/rules/owners.ts. */
export type OwnerChange =
  | 'owner-joins'
  | 'promoted'
  | 'restored'
  | 'demoted'
  | 'owner-removed'
  | 'suspended';

/**
 * One write of a change. The store turns a list of them into one TransactWriteItems; each kind
 * carries its own condition (documented per kind), and `conflict` is what a failed condition means:
 * the 409's detail, or an error to throw as it is (a 404 for something that vanished).
 */
export type Write = { conflict?: string | AppError } /** Put a new org (condition: absent). */ & (
  | { kind: 'putOrg'; org: OrgRecord }
  /** Put an org-name guard (condition: absent; the name is taken otherwise). */
  | { kind: 'putOrgName'; name: string; orgId: string; companyId: string | null }
  /** Set the company on an org's name guard. */
  | { kind: 'setOrgNameCompany'; name: string; orgId: string; companyId: string }
  /** Change an org's seat limit (condition: the org exists and `seatsUsed <= seatLimit` unless unlimited). */
  | { kind: 'setSeatLimit'; orgId: string; seatLimit: number | null }
  /**
   * Move an org's counters in one update: `seats`, a seat change with its guard
   * (shared/rules/seats.ts); `owners`, an owner change with its guard (shared/rules/owners.ts);
   * `ownConfig` counts the org's own domains and SSO connections and needs the org to be
   * outside any company.
   */
  | {
      kind: 'orgCounters';
      orgId: string;
      seats?: SeatChange | undefined;
      owners?: OwnerChange | undefined;
      ownConfig?: 1 | -1;
    }
  /** Put an org into a company (condition: in no company and without its own domains or connections). */
  | { kind: 'joinCompany'; orgId: string; companyId: string }
  /** Put a membership (condition: absent). */
  | { kind: 'putMember'; email: string; membership: Membership }
  /**
   * Change a member's role (condition: the membership exists with role `from`); `membership`
   * is as read, so that the person summary gets the whole membership.
   */
  | { kind: 'setRole'; orgId: string; email: string; membership: Membership; from: Role; to: Role }
  /** Delete a membership (condition: it exists). */
  /** `role` as read: the delete is refused if it changed meanwhile (the owner count follows it). */
  | { kind: 'deleteMember'; orgId: string; email: string; role: Role }
  /** Delete a team membership (condition: it exists) and count it off its team. */
  | { kind: 'deleteTeamMember'; orgId: string; team: string; email: string }
  /** Condition: the person is not a member of the org. */
  | { kind: 'checkNotMember'; orgId: string; email: string }
  /**
   * Put an invitation (condition: absent) and its entry on the lifecycle schedule
   * (shared/rules/invitations.ts `lifecycleDueAt`).
   */
  | { kind: 'putInvitation'; email: string; invitation: Invitation }
  /**
   * Replace an invitation (resent, or expired by the scheduled run) and move its schedule entry
   * (condition: stored as `before`: sent and expired as read, so concurrent changes are not lost).
   */
  | { kind: 'updateInvitation'; email: string; before: Invitation; after: Invitation }
  /**
   * Delete an invitation and its schedule entry (condition: it exists; with `asRead`, it is
   * still as read).
   */
  | { kind: 'deleteInvitation'; orgId: string; email: string; asRead?: Invitation }
  /**
   * Reserve `count` seats in one counter update (SPEC §13 bulk; guard: shared/rules/seats.ts
   * `reservationGuard` over `seatLimit` as read).
   */
  | { kind: 'reserveSeats'; orgId: string; count: number; seatLimit: number | null }
  /** Give back `count` reserved seats (condition: `seatsUsed >= count`). */
  | { kind: 'releaseSeats'; orgId: string; count: number }
  /**
   * Start a bulk invitation run (condition: no run under this key, or one that failed or is
   * past its 24 h): the idempotency record and the seats it reserved.
   */
  | { kind: 'startBulkRun'; run: BulkRunRecord; replaces?: BulkRunRecord | undefined }
  /** Count `count` more of a run's reserved seats as written (condition: the run is in progress). */
  | { kind: 'bulkRunProgress'; orgId: string; key: string; count: number }
  /**
   * Finish a run: `done` with the answer to repeat, or `failed` (condition: in progress with
   * `written` as read, when given).
   */
  | {
      kind: 'finishBulkRun';
      orgId: string;
      key: string;
      status: 'done' | 'failed';
      answer?: string;
      written?: number;
    }
  /** Put a company (condition: absent). */
  | { kind: 'putCompany'; company: CompanyRecord }
  /** Put a company ownership. */
  | { kind: 'putCompanyOwner'; companyId: string; companyName: string; email: string; at: string }
  /** Put a company's org entry. */
  | { kind: 'putCompanyOrg'; companyId: string; orgId: string; name: string }
  /** Put a new domain claim (condition: absent). */
  | { kind: 'putClaim'; claim: DomainClaimRecord }
  /**
   * Update a claim from `before` to `after` (condition: status, auto-provisioning and SSO
   * connections are still as read, so concurrent changes cannot be lost).
   */
  | { kind: 'updateClaim'; before: DomainClaimRecord; after: DomainClaimRecord }
  /** Delete a claim (condition: still as read). */
  | { kind: 'deleteClaim'; claim: DomainClaimRecord }
  /**
   * Put the sign-in's copy of a verified domain (condition: absent, or already this scope's:
   * one verifier per domain).
   */
  | {
      kind: 'putVerified';
      domain: string;
      scope: ScopeRef;
      autoProvisioning: { orgId: string; orgName: string } | null;
      ssoConnectionIds: string[];
      verifiedAt: string;
    }
  /**
   * Update fields of the verified copy (condition: it is this scope's). `enforcement` mirrors
   * the serving connection's (SPEC §12); `null` removes it.
   */
  | {
      kind: 'updateVerified';
      domain: string;
      scope: ScopeRef;
      autoProvisioning?: { orgId: string; orgName: string } | null;
      ssoConnectionIds?: string[];
      enforcement?: DomainEnforcement | null;
    }
  /** Delete the verified copy (condition: it is this scope's). */
  | { kind: 'deleteVerified'; domain: string; scope: ScopeRef }
  /** Put a connection (condition: absent when `rev` is 1, else stored at `rev - 1`). */
  | { kind: 'putConnection'; connection: ConnectionRecord }
  /** Delete a connection (condition: stored at `rev`). */
  | { kind: 'deleteConnection'; scope: ScopeRef; id: string; rev: number }
  /** Put the provider copy of a connection (condition: absent or this connection's: provider names are unique). */
  | { kind: 'putProvider'; connection: Connection }
  /** Delete a provider copy (condition: it is this connection's). */
  | { kind: 'deleteProvider'; providerName: string; connectionId: string }
  /** Record the day of a sign-in through a provider (SPEC §12 no lockout; condition: the copy exists). */
  | { kind: 'touchProvider'; providerName: string; on: string }
  /**
   * SPEC §12 no lockout: the day `email` signed in on the connection's domains without it
   * (`on`, YYYY-MM-DD; kept 31 days). Condition: none for that connection and person, or one
   * of an earlier day (so at most one write a day succeeds).
   */
  | {
      kind: 'markNonSsoSignIn';
      connectionId: string;
      email: string;
      on: string;
      /** No condition (inside a sign-in's transaction, where a failed one would refuse it all). */
      unconditional?: true;
    }
  /**
   * SPEC §13: the day (`on`, YYYY-MM-DD) and method of a person's sign-in, on their summary
   * with the domain audit's index key (no condition: the same day written twice is the same).
   */
  | { kind: 'recordSignIn'; email: string; on: string; method: SignInMethod }
  /** Put an audit event. */
  | { kind: 'event'; event: EventRecord }
  /** Put an outbox item. */
  | { kind: 'outbox'; notification: NotificationRecord }
  /** Put an outbox task: the stream worker runs it once this commits (`shared/tasks.ts`). */
  | { kind: 'task'; id: string; at: string; task: OutboxTask }
  /** Put a team membership and count it (condition: absent; the membership exists unless `joining`). */
  | {
      kind: 'putTeamMember';
      orgId: string;
      team: string;
      email: string;
      via: Via;
      joining: boolean;
      at: string;
    }
  /** Put or replace a connection's SCIM token (no condition: a rotation replaces it). */
  | { kind: 'putScimToken'; token: ScimTokenRecord }
  /** Delete a connection's SCIM token (condition: it exists, unless `ifExists`: then none). */
  | { kind: 'deleteScimToken'; connectionId: string; ifExists?: true }
  /** Put a SCIM user (condition: absent when `user.version` is 1, else stored at `version - 1`). */
  | { kind: 'putScimUser'; connectionId: string; user: ScimUserRecord }
  /** Delete a SCIM user (condition: stored at `version`). */
  | { kind: 'deleteScimUser'; connectionId: string; id: string; version: number }
  /** Put a SCIM group (condition as `putScimUser`). */
  | { kind: 'putScimGroup'; connectionId: string; group: ScimGroupRecord }
  /** Delete a SCIM group (condition: stored at `version`). */
  | { kind: 'deleteScimGroup'; connectionId: string; id: string; version: number }
  /** Claim a userName or displayName for a resource (condition: free, or already this resource's). */
  | { kind: 'putScimName'; connectionId: string; what: 'user' | 'group'; key: string; id: string }
  /** Release a userName or displayName (condition: this resource's). */
  | {
      kind: 'deleteScimName';
      connectionId: string;
      what: 'user' | 'group';
      key: string;
      id: string;
    }
  /**
   * Put a new account (condition: absent; a first sign-in that lost a race to another is
   * stale). Its username is claimed by `putUsername` in the same change.
   */
  | { kind: 'putAccount'; account: Account & { createdAt: string } }
  /** Claim a username for an account (condition: free: usernames are unique, SPEC §3.1). */
  | { kind: 'putUsername'; username: string; email: string }
  /** Change an account's full name (condition: it exists); `account` is as read. */
  | { kind: 'setAccountName'; account: Account; name: string | null; at: string }
  /**
   * Put a throttled notice (SPEC §4: `seat_limit_reached` at most once per person and org per
   * 24 h; condition: none, or one older than `cutoff`), mirrored in the summary.
   */
  | {
      kind: 'putNotice';
      email: string;
      notice: NoticeKind;
      orgId: string;
      at: string;
      cutoff: string;
    }
  /**
   * Mark (or unmark) a person as deactivated by a connection's SCIM client (mirrored in the
   * summary), with what the mark covers (SPEC §10): the scope and its orgs.
   */
  | {
      kind: 'scimDeactivated';
      email: string;
      connectionId: string;
      on: boolean;
      at: string;
      cover?: { scope: ScopeRef; orgIds: string[] };
    }
  /**
   * Suspend or restore an owner's membership (SPEC §10; condition: the membership exists as an
   * owner, suspended as `membership` says); `membership` is as read.
   */
  | {
      kind: 'setSuspended';
      orgId: string;
      email: string;
      membership: Membership;
      suspended: boolean;
    }
  /** Put a webhook endpoint (condition: absent when `rev` is 1, else stored at `rev - 1`). */
  | { kind: 'putWebhook'; webhook: WebhookRecord }
  /** Delete a webhook endpoint (condition: stored at `rev`) and its secrets. */
  | { kind: 'deleteWebhook'; scope: ScopeRef; id: string; rev: number }
  /** Put a new webhook's secret (condition: absent). */
  | { kind: 'putWebhookSecret'; webhookId: string; secret: string }
  /**
   * Rotate a webhook's secret: the current one becomes the previous one, signing too until
   * `previousUntil` (condition: it exists). The secret is never read to do so.
   */
  | { kind: 'rotateWebhookSecret'; webhookId: string; secret: string; previousUntil: string }
  /** Put a replay request; the publisher re-sends from `fromSeq` once it commits. */
  | { kind: 'putWebhookReplay'; replay: WebhookReplay }
);

/**
 * SPEC §13: an account listed under one of the audited domains, as its summary says: the
 * account, the orgs it is a member of, its invitations and its last recorded sign-in.
 */
export interface DomainAuditCandidate {
  email: string;
  username: string;
  name: string | null;
  lastSignInOn: string | null;
  lastSignInMethod: SignInMethod | null;
  memberOf: string[];
  /** Invitations as stored (`status` and `expiresAt` when the invitation has them). */
  /** Pending or expired as `invitationStatus` (shared/rules/invitations.ts) says of them. */
  invitations: { orgId: string; expiresAt: string; expiredAt?: string | undefined }[];
}

/** The domain audit's row of an account (SPEC §13), or none for an account it does not list. */
export interface DomainAuditRecord {
  email: string;
  username: string;
  name: string | null;
  lastSignInOn: string | null;
  lastSignInMethod: SignInMethod | null;
  status: 'uncaptured' | 'invited';
}

/** The result of an org access check. */
export interface OrgAccess {
  org: OrgRecord;
  /** The caller's role in the org, if a member. */
  role: Role | null;
  /** Whether the caller owns the org's company. */
  companyOwner: boolean;
  /** Whether the caller's membership is suspended (SPEC §10: it administers nothing). */
  suspended?: boolean | undefined;
  /** Whether a connection's SCIM client deactivated the caller for this org (SPEC §10). */
  scimDeactivated?: boolean | undefined;
}

/** The admin API's storage port; `shared/adapters/dynamodb/admin-store.ts` implements it. */
export interface AdminStore {
  /** Writes a change in one transaction; a failed condition throws a 409 with that write's `conflict`. */
  apply(writes: Write[]): Promise<void>;

  orgAccess(orgId: string, email: string): Promise<OrgAccess | undefined>;
  /** The company, when `email` owns it. */
  ownedCompany(companyId: string, email: string): Promise<CompanyRecord | undefined>;
  getOrg(orgId: string): Promise<OrgRecord | undefined>;
  getMember(orgId: string, email: string): Promise<MemberRecord | undefined>;
  /** An invitation as stored, pending or expired (SPEC §13). */
  getInvitation(orgId: string, email: string): Promise<Invitation | undefined>;
  /**
   * For each email, whether it is a member of the org and its invitation, if any (SPEC §13 bulk:
   * BatchGets of 100 keys, strongly consistent).
   */
  getInvitees(
    orgId: string,
    emails: readonly string[],
  ): Promise<Map<string, { member: boolean; invitation: Invitation | undefined }>>;
  /** A bulk invitation run by its idempotency key (SPEC §13). */
  getBulkRun(orgId: string, key: string): Promise<BulkRunRecord | undefined>;
  companyOrgs(companyId: string): Promise<{ id: string; name: string }[]>;
  getClaim(scope: ScopeRef, domain: string): Promise<DomainClaimRecord | undefined>;
  getClaims(scope: ScopeRef, domains: string[]): Promise<Map<string, DomainClaimRecord>>;
  getConnection(scope: ScopeRef, id: string): Promise<ConnectionRecord | undefined>;
  getConnections(scope: ScopeRef, ids: string[]): Promise<ConnectionRecord[]>;
  /**
   * A person as their summary mirrors them (one read): account, memberships and teams,
   * invitations, and the companies they own.
   */
  getPerson(
    email: string,
  ): Promise<{ person: PersonState; companies: { id: string; name: string }[] }>;
  /** The connection a provider name belongs to (its sign-in copy), if any. */
  getProvider(providerName: string): Promise<Connection | undefined>;
  /**
   * SPEC §8 and §12 at the admin API's door, in one BatchGetItem: the connection naming
   * `providerName` (when given) and the enforcement the verified-domain item of `domain` mirrors.
   */
  callerLookup(domain: string, providerName: string | undefined): Promise<CallerLookup>;
  /**
   * SPEC §12 no lockout: how many people signed in on the connection's domains without SSO on
   * or after `since` (a YYYY-MM-DD day).
   */
  countNonSsoSignIns(connectionId: string, since: string): Promise<number>;

  listMembers(orgId: string, page: PageRequest): Promise<Page<MemberRecord>>;
  listInvitations(orgId: string, page: PageRequest): Promise<Page<InvitationRecord>>;
  listTeams(orgId: string, page: PageRequest): Promise<Page<TeamRecord>>;
  listClaims(scope: ScopeRef, page: PageRequest): Promise<Page<DomainClaimRecord>>;
  listConnections(scope: ScopeRef, page: PageRequest): Promise<Page<ConnectionRecord>>;
  /**
   * A scope's events (SPEC §5, §11): newest first by default; `order: 'asc'` oldest first;
   * `after` (with `asc`) only the events numbered after it, in number order; `types` only those
   * types. An org's events are its own; a company's are its own and its orgs' by time, except
   * with `after`, which reads the company's own numbered events (company-level changes).
   */
  listEvents(scope: ScopeRef, page: PageRequest, query?: EventQuery): Promise<Page<StoredEvent>>;
  /**
   * SPEC §13: the accounts on `domains` (each in email order, the domains in the order given)
   * that `row` lists, a page of them; read from the index by email domain, never a Scan.
   */
  listDomainAudit(
    domains: readonly string[],
    row: (candidate: DomainAuditCandidate) => DomainAuditRecord | undefined,
    page: PageRequest,
  ): Promise<Page<DomainAuditRecord>>;
}

/** How a list of events is read (SPEC §11). */
export interface EventQuery {
  /** `desc` (newest first, the default) or `asc`. */
  order?: 'asc' | 'desc' | undefined;
  /** Only events numbered after this (with `order: 'asc'`). */
  after?: number | undefined;
  /** Only events of these types (none: every type). */
  types?: readonly EventType[] | undefined;
}

/** What the core needs from the outside world besides the store. */
export interface AdminDeps {
  store: AdminStore;
  /** TXT records of a name, looked up afresh (`createTxtLookup`). */
  lookupTxt: (name: string) => Promise<string[]>;
  now: () => Date;
  newId: () => string;
  /** A random verification token. */
  newToken: () => string;
  /** The user pool's identity providers (SPEC §8). */
  identityProviders: IdentityProviders;
  /** Provider names the operator bound to a scope. */
  boundProviders: BoundProviders;
  /** Where the pool's hosted endpoints are, for the URLs an IdP needs. */
  serviceProvider: ServiceProviderContext;
  /** SPEC §11 webhook endpoints. */
  webhooks: WebhookAdminDeps;
}
