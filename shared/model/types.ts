/**
 * The sign-in decision's vocabulary (SPEC §2, §3): what comes in (`SignIn`), the state it is
 * decided on (`SignInState`), and what comes out (`Plan`).
 */

import type { ScopeRef } from '../table/schema.ts';
import type { EventType } from './events.ts';

/** How a person joined an org or a team. */
export type Via =
  | 'auto-provisioning'
  | 'jit'
  | 'group-mapping'
  | 'invitation'
  | 'admin'
  | 'creator'
  | 'scim';
export type Role = 'owner' | 'member';

/** A normalised sign-in, from a Cognito trigger or the HTTP hook (SPEC §2). */
export interface SignIn {
  email: string;
  /** The email's domain, ASCII (punycode). */
  domain: string;
  emailVerified: boolean;
  /** Full name, when the sign-in carries one. */
  name: string | undefined;
  /** The IdP provider name, when the sign-in came through a federated provider. */
  connection: string | undefined;
  groups: string[];
}

/**
 * How a person signed in (SPEC §13): with a password, through a Cognito social provider,
 * through an SSO connection's provider (either door), or through the HTTP hook without one.
 */
export type SignInMethod = 'password' | 'social' | 'sso' | 'hook';

export interface Account {
  email: string;
  username: string;
  name: string | null;
  /** When the account was created (absent in records that predate it). */
  createdAt?: string | undefined;
}

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
  via: Via;
  joinedAt: string;
  /**
   * SPEC §10: an owner the connection's SCIM client deactivated while they were the org's last
   * owner keeps the membership, suspended: it administers nothing, counts as no owner and is in
   * no token, until a company owner or the IdP's reactivation restores it.
   */
  suspended?: boolean | undefined;
}

export interface TeamMembership {
  orgId: string;
  team: string;
  via: Via;
}

export interface Invitation {
  orgId: string;
  orgName: string;
  role: Role;
  team: string | null;
  invitedBy: string;
  createdAt: string;
  /** When it was last mailed (created or resent, SPEC §13). */
  sentAt: string;
  /** When it stops being acceptable (SPEC §13): 14 days after it was sent, or as asked at creation. */
  expiresAt: string;
  /**
   * Set when the scheduled lifecycle run expired it and freed its seat (SPEC §13); until then an
   * invitation past `expiresAt` is already refused but still holds its seat.
   */
  expiredAt?: string | undefined;
}

/** Kinds of per-person notices throttled to one per org per 24 h (one exception below). */
export type NoticeKind =
  | 'seat-limit'
  | 'auto-provisioning-skipped'
  /** SPEC §12 report mode: `sso_enforcement_would_deny`, at most once per person per 24 h. */
  | 'sso-would-deny'
  /**
   * SPEC §12 at PreAuthentication: `sign_in_denied` (`sso_required`), at most once per address
   * and connection an hour; its `orgId` is the enforcing connection's id.
   */
  | 'sso-denied'
  /**
   * SPEC §12 break-glass: `sso_enforcement_bypassed`, every time; the notice only makes writing
   * the same sign-in's record twice (a redelivered log line) write nothing. `orgId` is the
   * connection's id.
   */
  | 'sso-bypassed'
  /**
   * SPEC §12 no lockout: a sign-in through the HTTP hook without SSO on a connection's domain,
   * marked at most once per person and connection a day; its `orgId` is the connection's id.
   */
  | 'non-sso-sign-in';

export interface Notice {
  kind: NoticeKind;
  orgId: string;
  at: string;
}

/** Everything stored under the person's partition. */
export interface PersonState {
  account: Account | undefined;
  memberships: Membership[];
  teamMemberships: TeamMembership[];
  invitations: Invitation[];
  /** Connections whose SCIM client deactivated or deleted the person (SPEC §10). */
  scimDeactivated?: string[] | undefined;
  /** The same deactivations with what they cover (SPEC §10: every door of the scope). */
  scimDeactivations?: ScimDeactivation[] | undefined;
  notices: Notice[];
  /**
   * SPEC §13: the day (YYYY-MM-DD) of the person's last recorded sign-in, from their summary;
   * absent when none was recorded.
   */
  lastSignInOn?: string | undefined;
  /**
   * The person's items as stored, when they were read from their partition rather than from
   * their summary (a repair, `processSignIn`): the transaction then rewrites the summary from
   * them. Opaque to the decision.
   */
  items?: readonly Record<string, unknown>[] | undefined;
}

/** A SCIM deactivation (SPEC §10) and the doors it closes. */
export interface ScimDeactivation {
  connectionId: string;
  /** The connection's scope: its company's routes answer 404 to the person. */
  scope: ScopeRef | null;
  /**
   * The orgs of the scope when the person was deactivated, but those a company owner restored
   * them in since: the orgs the person neither administers nor finds in their tokens.
   */
  orgIds: string[];
}

/** The sign-in's view of a verified domain (SPEC §3.5). */
export interface VerifiedDomain {
  domain: string;
  scope: ScopeRef;
  /** The org people join, when auto-provisioning is on. */
  autoProvisioning: { orgId: string; orgName: string } | null;
  /** SSO connections serving this domain; any makes JIT take precedence. */
  ssoConnectionIds: string[];
  /**
   * SPEC §12: the enforcement of the connection serving this domain, mirrored here whenever the
   * connection changes so that a sign-in's enforcement check reads this one item; absent when
   * the connection enforces nothing (`off`) or no connection serves the domain.
   */
  enforcement?: DomainEnforcement | null | undefined;
}

/** SSO enforcement of a connection (SPEC §12): `off` (default), `report` or `on`. */
export type EnforcementMode = 'off' | 'report' | 'on';

/** What a verified domain's item says of the enforcing connection (SPEC §12). */
export interface DomainEnforcement {
  connectionId: string;
  connectionName: string;
  /** The connection's provider: a sign-in through it is the SSO sign-in enforcement asks for. */
  providerName: string;
  mode: 'report' | 'on';
  /** Owners who may still sign in with a password (at most 3). */
  breakGlass: string[];
  /** Where enforcement events are recorded (the connection's default org) and whose owners are told. */
  defaultOrg: { id: string; name: string };
  companyId: string | null;
}

/** The sign-in's view of an SSO connection (SPEC §1). */
export interface Connection {
  id: string;
  name: string;
  providerName: string;
  scope: ScopeRef;
  domains: string[];
  jit: boolean;
  scim: boolean;
  defaultOrg: { id: string; name: string };
  defaultTeam: string | null;
  /** SPEC §12 (absent: `off`). */
  enforcement?: EnforcementMode | undefined;
  /** SPEC §12: owners who may still sign in with a password while enforcement is `on`. */
  breakGlass?: string[] | undefined;
  /**
   * SPEC §12 no lockout: the day (YYYY-MM-DD) someone last signed in through the connection,
   * kept on the provider copy only (the sign-in writes it at most once a day).
   */
  lastSignInOn?: string | undefined;
}

/** What is known of an org the decision may touch. */
export interface OrgInfo {
  id: string;
  name: string;
  companyId: string | null;
  /** `false` when known to have no free seat; `true` when known free or unknown (the write's condition decides). */
  seatAvailable: boolean;
}

/** The state one decision reads (SPEC §3.6: at most two DynamoDB round trips). */
export interface SignInState {
  person: PersonState;
  domain: VerifiedDomain | undefined;
  connection: Connection | undefined;
  /** Orgs by id: those the person belongs to or is invited to, the default and target orgs, orgs named by groups. */
  orgs: Record<string, OrgInfo>;
  /** Org ids by name, for the orgs that groups name (unknown names are absent). */
  orgIdsByName: Record<string, string>;
}

export type { EventType } from './events.ts';

/** An audit event to record (SPEC §1); ids and times are given when it is written. */
export interface PlannedEvent {
  type: EventType;
  orgId: string;
  /** The org's company, so that the company's activity lists it too. */
  companyId: string | null;
  actor: string;
  subject: string;
  details: Record<string, unknown>;
}

/** Kinds of notification (SPEC §4). */
export type NotificationType =
  | 'member_added'
  | 'seat_limit_reached'
  | 'domain_verified'
  | 'domain_verification_lost'
  /** A domain stopped being verified and left an SSO connection (SPEC §8). */
  | 'sso_domain_detached'
  /** SCIM deactivated an org's last owner: the membership is kept, suspended (SPEC §10). */
  | 'member_suspended'
  /** A suspended membership was restored (SPEC §10). */
  | 'member_restored'
  /** A break-glass owner signed in without SSO on an enforced domain (SPEC §12). */
  | 'sso_enforcement_bypassed'
  /** A webhook endpoint was disabled: it answered 410, or failed for 5 days (SPEC §11). */
  | 'webhook_disabled'
  | 'invitation';

/** An outbox item: the notifier mails it after the transaction commits. */
export interface PlannedNotification {
  type: NotificationType;
  orgId: string;
  orgName: string;
  companyId: string | null;
  email: string;
  name: string | null;
  details: Record<string, unknown>;
}

export interface PlannedJoin {
  orgId: string;
  orgName: string;
  role: Role;
  via: Via;
  /** Takes a new seat (false when an invitation's held seat is used). */
  takesSeat: boolean;
}

/** How a refused sign-in is titled: the hook's problem title, the start of the trigger's error. */
export type DenialTitle = 'Access denied' | 'No seats available' | 'SSO required';

export type Decision =
  | { decision: 'allow' }
  | { decision: 'deny'; title: DenialTitle; message: string };

/** What one sign-in changes; `apply` writes it in one transaction. */
export interface Plan {
  outcome: Decision;
  /** Create the account (with a generated username), or update its name, or neither. */
  account: { create: boolean; name: string | null; updateName: boolean };
  /** The account as read, if any: a name update rewrites its whole mirror in the summary. */
  accountBefore?: Account | undefined;
  joins: PlannedJoin[];
  /** Invitations to delete; `freesSeat` when the person was already a member, so its held seat is returned. */
  invitationsAccepted: { orgId: string; freesSeat: boolean }[];
  teamAdds: TeamMembership[];
  teamRemovals: { orgId: string; team: string }[];
  notices: { kind: NoticeKind; orgId: string }[];
  events: PlannedEvent[];
  notifications: PlannedNotification[];
  /** The person's memberships once the plan is applied (the HTTP hook's answer). */
  memberships: { orgId: string; orgName: string; role: Role; teams: string[] }[];
  /**
   * SPEC §12 no lockout: an SSO sign-in let through records the day on the connection's
   * provider copy, when the copy does not say today already.
   */
  touchConnection?: { providerName: string; on: string } | undefined;
  /** SPEC §12: mark the day this person signed in without SSO on the connection's domains. */
  nonSsoSignIn?: { connectionId: string; on: string } | undefined;
  /**
   * SPEC §13: record the day and method of a trusted sign-in let through on the person's
   * summary, when the summary does not say that day already (at most one write a day).
   */
  signedIn?: { on: string; method: SignInMethod } | undefined;
}

/** The actor recorded for changes the sign-in makes on its own. */
export const SYSTEM_ACTOR = 'provisio';
