/** The admin API's resources (docs/openapi.json), as the console reads them. */

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly companyId: string | null;
  readonly seatLimit: number | null;
  readonly seatsUsed: number;
}

export type Via =
  | 'creator'
  | 'scim'
  | 'invitation'
  | 'auto-provisioning'
  | 'jit'
  | 'group-mapping'
  | 'admin';

export interface Member {
  readonly email: string;
  readonly username: string | null;
  readonly name: string | null;
  readonly role: 'owner' | 'member';
  readonly teams: string[];
  readonly via: Via;
  readonly joinedAt: string;
}

export interface Invitation {
  readonly email: string;
  readonly role: 'owner' | 'member';
  readonly team: string | null;
  readonly invitedBy: string;
  readonly createdAt: string;
  /** SPEC §13: expired from `expiresAt` on; listed for 30 days, then deleted. */
  readonly status: 'pending' | 'expired';
  readonly expiresAt: string;
  /** When it was last mailed; a resend is possible 10 minutes later. */
  readonly sentAt: string;
}

export type BulkOutcome =
  | 'invited'
  | 'already_member'
  | 'already_invited'
  | 'duplicate'
  | 'invalid';

/** The answer of `POST /v1/orgs/{orgId}/invitations:bulk` (a dry run's too). */
export interface BulkAnswer {
  readonly dryRun: boolean;
  readonly needed: number;
  readonly available: number | null;
  readonly counts: Readonly<Record<BulkOutcome, number>>;
  readonly results: readonly {
    readonly row: number;
    readonly email: string | null;
    readonly outcome: BulkOutcome;
    readonly reason?: string;
  }[];
}

/** SPEC §13: an account on a verified domain of the scope that is not a member. */
export interface DomainAuditEntry {
  readonly email: string;
  readonly username: string;
  readonly name: string | null;
  /** YYYY-MM-DD (UTC), written at most once a day; null when none was recorded. */
  readonly lastSignInOn: string | null;
  readonly lastSignInMethod: 'password' | 'social' | 'sso' | 'hook' | null;
  readonly status: 'uncaptured' | 'invited';
}

/** One org the signed-in person belongs to, as `GET /v1/me` lists it. */
export interface Membership {
  readonly orgId: string;
  readonly orgName: string;
  readonly role: 'owner' | 'member';
  readonly teams: string[];
  readonly via: Via;
}

/** `GET /v1/me` (SPEC §9): the signed-in person's orgs, companies and pending invitations. */
export interface Me {
  readonly email: string;
  readonly username: string | null;
  readonly name: string | null;
  readonly memberships: Membership[];
  readonly companies: { readonly id: string; readonly name: string }[];
  readonly invitations: {
    readonly orgId: string;
    readonly orgName: string;
    readonly role: 'owner' | 'member';
    readonly team: string | null;
    readonly invitedBy: string;
    readonly createdAt: string;
  }[];
  readonly truncated: boolean;
}

export interface Team {
  readonly name: string;
  readonly memberCount: number;
}

export interface Company {
  readonly id: string;
  readonly name: string;
  readonly orgs: { readonly id: string; readonly name: string }[];
}

export interface Domain {
  readonly domain: string;
  readonly status: 'pending' | 'verified';
  readonly txtRecord: { readonly name: string; readonly value: string };
  readonly autoProvisioning: { readonly enabled: boolean; readonly orgId: string | null };
  readonly ssoConnectionId: string | null;
  readonly verifiedAt: string | null;
  /** When the domain checker looks next; null when it no longer does. */
  readonly nextCheckAt?: string | null;
  /** Since when the checker has found the TXT record missing. */
  readonly missingSince?: string | null;
  /** Pending and no longer checked automatically. */
  readonly checkExpired?: boolean;
}

/** What Provisio keeps of a connection's identity provider (SPEC §8); never a client secret. */
export type ProviderSource =
  | {
      readonly source: 'created';
      readonly type: 'saml';
      readonly metadataUrl: string | null;
      readonly groupsClaim: string;
    }
  | {
      readonly source: 'created';
      readonly type: 'oidc';
      readonly issuer: string;
      readonly clientId: string;
      readonly groupsClaim: string;
    }
  | { readonly source: 'bound' };

/** What the IdP's administrator pastes into the IdP. */
export type ServiceProvider =
  | { readonly type: 'saml'; readonly acsUrl: string | null; readonly entityId: string | null }
  | { readonly type: 'oidc'; readonly redirectUri: string | null };

export interface SsoConnection {
  readonly id: string;
  readonly name: string;
  readonly providerName: string;
  readonly idp: ProviderSource;
  readonly serviceProvider: ServiceProvider | null;
  /** False while it serves no verified domain: its sign-ins are denied. */
  readonly active: boolean;
  readonly domains: string[];
  readonly jit: boolean;
  readonly scim: boolean;
  readonly defaultOrgId: string;
  readonly defaultTeam: string | null;
  /** SPEC §12: whether people on its domains must sign in through it. */
  readonly enforcement: EnforcementMode;
  /** Owners who may still sign in with a password while enforcement is on. */
  readonly breakGlass: string[];
  /** Only in the answer of the change that switched enforcement on. */
  readonly enforcementCheck?: LockoutCheck;
  readonly createdAt: string;
}

/** SSO enforcement of a connection (SPEC §12). */
export type EnforcementMode = 'off' | 'report' | 'on';

/** What switching enforcement on found (the 409's fields, or the answer's `enforcementCheck`). */
export interface LockoutCheck {
  readonly lastSsoSignInOn: string | null;
  readonly peopleWithoutSso: number;
}

/** What switching enforcement on would find, read before switching (`…/enforcement-check`). */
export interface EnforcementCheck extends LockoutCheck {
  /** Whether the switch would be accepted: someone signed in through it in the last 30 days. */
  readonly canEnforce: boolean;
}

/** A connection's new SCIM token, shown once (SPEC §10). */
export interface ScimToken {
  readonly token: string;
  readonly baseUrl: string;
  readonly createdAt: string;
}

/** A webhook endpoint of an org or a company (SPEC §11). */
export interface Webhook {
  readonly id: string;
  readonly url: string;
  /** The event types it receives; null: every type, those added later too. */
  readonly types: EventType[] | null;
  readonly description: string | null;
  readonly enabled: boolean;
  /** Why Provisio disabled it (null when enabled, or disabled by an owner). */
  readonly disabledReason: 'gone' | 'failing' | null;
  /** The first failed attempt since the last delivered one. */
  readonly failingSince: string | null;
  readonly createdAt: string;
}

/** A new endpoint's answer: its signing secret, shown once. */
export interface CreatedWebhook extends Webhook {
  readonly secret: string;
}

/** A rotated secret, shown once; the previous one signs too until `previousSecretExpiresAt`. */
export interface WebhookSecret {
  readonly secret: string;
  readonly previousSecretExpiresAt: string;
}

/** One delivery attempt, newest first. */
export interface WebhookDelivery {
  /** The event id, sent as `webhook-id`. */
  readonly eventId: string;
  readonly seq: number | null;
  readonly type: EventType;
  readonly attempt: number;
  readonly at: string;
  /** null when no answer came. */
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly outcome: 'delivered' | 'retrying' | 'failed' | 'disabled' | 'skipped';
  readonly nextAttemptAt: string | null;
  readonly replay: boolean;
}

/** A replay request, accepted (202). */
export interface WebhookReplay {
  readonly id: string;
  readonly webhookId: string;
  readonly fromSeq: number;
  readonly requestedAt: string;
}

export { EVENT_TYPES, type EventType } from '../../shared/model/events.ts';

import type { EventType } from '../../shared/model/events.ts';

export interface AuditEvent {
  readonly id: string;
  readonly type: EventType;
  readonly at: string;
  readonly actor: string;
  readonly subject: string;
  readonly orgId: string | null;
  readonly details: Record<string, unknown>;
}

/** Org and team names: SPEC §1's slug. */
export const SLUG = '^[a-z0-9][a-z0-9-]{1,38}$';
