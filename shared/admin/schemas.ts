/**
 * One zod schema per request body and per response of the admin API (SPEC §5). The router
 * validates with them and the OpenAPI document is generated from them (`z.toJSONSchema`), so
 * what is checked and what is documented cannot drift.
 *
 * Written with `zod/mini`, the functional, tree-shakable API of the same package (the same
 * schemas, checks and JSON Schema output): the admin function bundles only what is used here,
 * and builds these schemas in a fraction of the time, which its cold start pays (docs/performance.md).
 */

import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { normaliseEmail } from '../domains/normalise.ts';
import { EVENT_TYPES } from '../model/events.ts';
import {
  DEFAULT_EXPIRY_DAYS,
  MAX_BULK_ROWS,
  MAX_EXPIRY_DAYS,
  MIN_EXPIRY_DAYS,
} from '../rules/invitations.ts';
import { SLUG } from '../sign-in/decide.ts';
import { SignInHookRequest } from '../sign-in/hook-body.ts';
import { MAX_BREAK_GLASS } from '../trust/enforcement.ts';

// The default messages of zod's own checks (e.g. an enum's), in English; `zod/mini` leaves
// them unset, the classic API sets them when its first schema is built.
z.config(en());

// ---- building blocks ---------------------------------------------------------------------

/** Documents a schema in the OpenAPI document: `z.toJSONSchema` reads `z.globalRegistry`. */
function meta<T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T {
  z.globalRegistry.add(schema, data);
  return schema;
}

const slug = (what: string) =>
  meta(
    z
      .string()
      .check(
        z.regex(
          SLUG,
          `must be a ${what}: 2–39 characters a-z, 0-9 and '-', starting with a letter or digit`,
        ),
      ),
    { pattern: SLUG.source, examples: ['acme'] },
  );

export const OrgName = slug('slug');
export const TeamName = slug('slug');

export const Role = z.enum(['owner', 'member']);

export const Via = z.enum([
  'auto-provisioning',
  'jit',
  'group-mapping',
  'invitation',
  'admin',
  'creator',
  'scim',
]);

const EXPIRY_DAYS = `must be a whole number of days from ${MIN_EXPIRY_DAYS} to ${MAX_EXPIRY_DAYS}`;

const SEAT_LIMIT = 'must be an integer from 0 to 1000000, or null for unlimited';

/** `null` means unlimited. */
export const SeatLimit = meta(
  z.nullable(z.int(SEAT_LIMIT).check(z.gte(0, SEAT_LIMIT), z.lte(1_000_000, SEAT_LIMIT))),
  { description: 'Seats; null means unlimited' },
);

/** An email, normalised (trimmed, lower case, domain IDNA → ASCII). */
export const Email = meta(
  z.pipe(
    z.string().check(z.maxLength(320)),
    z.transform((value: string, ctx) => {
      const normalised = normaliseEmail(value);
      if (!normalised) {
        ctx.issues.push({ code: 'custom', input: value, message: 'must be an email address' });
        return z.NEVER;
      }
      return normalised.email;
    }),
  ),
  { format: 'email', examples: ['ada@example.com'] },
);

/** A domain as the caller writes it; `checkClaimableDomain` normalises it and says why not. */
export const DomainInput = meta(
  z
    .string()
    .check(z.minLength(1, 'must be a domain name'), z.maxLength(300, 'must be a domain name')),
  { examples: ['example.com'] },
);

const Id = z.string().check(z.minLength(1, 'must be an id'), z.maxLength(100, 'must be an id'));

/** Cognito identity provider names (1–32 characters, no spaces); see CreateIdentityProvider. */
export const ProviderName = meta(
  z
    .string()
    .check(
      z.regex(
        /^[^\s_][^\s]{0,31}$/u,
        'must be a Cognito identity provider name: 1–32 characters, no spaces',
      ),
    ),
  { examples: ['AcmeOkta'] },
);

/** Trimmed, then 1–100 characters. */
const Name = () =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(100, 'must be at most 100 characters'),
    );

const ConnectionName = Name();

/** SPEC §12: how an SSO connection enforces itself on its domains. */
const EnforcementMode = z.enum(['off', 'report', 'on']);

/** An https URL (no credentials, no fragment), at most 2048 characters. */
function httpsUrl(what: string) {
  const message = `must be an https URL (${what})`;
  return meta(
    z.string().check(
      z.maxLength(2048, message),
      z.refine((value: string) => {
        try {
          const url = new URL(value);
          return url.protocol === 'https:' && !url.username && !url.password && !url.hash;
        } catch {
          return false;
        }
      }, message),
    ),
    { format: 'uri', examples: ['https://idp.example.com/metadata'] },
  );
}

/** A printable token without spaces (client ids and secrets, claim names). */
const Token = (max: number) =>
  z
    .string()
    .check(
      z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

const GroupsClaim = meta(z.optional(Token(256)), {
  description: "The IdP's claim or attribute carrying groups; defaults to groups",
});

/** SPEC §8: the IdP's settings; Provisio creates the Cognito identity provider from them. */
export const IdpSettings = meta(
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('saml'),
      metadataUrl: z.optional(httpsUrl("the IdP's SAML metadata")),
      metadataXml: meta(
        z.optional(z.string().check(z.maxLength(100_000, 'must be at most 100000 characters'))),
        { description: 'The metadata document itself, instead of metadataUrl' },
      ),
      groupsClaim: GroupsClaim,
    }),
    z.strictObject({
      type: z.literal('oidc'),
      issuer: httpsUrl('the OIDC issuer'),
      clientId: Token(255),
      clientSecret: meta(Token(255), {
        description: 'Sent to Cognito only: never stored or returned by Provisio',
        writeOnly: true,
      }),
      groupsClaim: GroupsClaim,
    }),
  ]),
  {
    description:
      "The IdP's SAML (metadataUrl or metadataXml) or OIDC (issuer, clientId, clientSecret) settings",
  },
);

// ---- request bodies ----------------------------------------------------------------------

export const CreateOrgRequest = z.strictObject({
  name: OrgName,
  seatLimit: z.optional(SeatLimit),
});

export const UpdateOrgRequest = z.strictObject({ seatLimit: SeatLimit });

export const SetRoleRequest = z.strictObject({ role: Role });

export const CreateInvitationRequest = z.strictObject({
  email: Email,
  role: meta(z.optional(Role), { description: 'Defaults to member' }),
  team: z.optional(z.nullable(TeamName)),
  expiresInDays: meta(
    z.optional(
      z
        .int(EXPIRY_DAYS)
        .check(z.gte(MIN_EXPIRY_DAYS, EXPIRY_DAYS), z.lte(MAX_EXPIRY_DAYS, EXPIRY_DAYS)),
    ),
    {
      description: `SPEC §13: days until the invitation expires, ${MIN_EXPIRY_DAYS}–${MAX_EXPIRY_DAYS}; defaults to ${DEFAULT_EXPIRY_DAYS} (and a resend restarts ${DEFAULT_EXPIRY_DAYS} days)`,
    },
  ),
});

/** One row of a bulk invitation (SPEC §13); rows are checked one by one, so loosely typed here. */
export const BulkInvitationsRequest = meta(
  z.strictObject({
    invitations: z
      .array(
        z.looseObject({
          email: z.optional(z.unknown()),
          role: z.optional(z.unknown()),
          team: z.optional(z.unknown()),
        }),
      )
      .check(z.maxLength(MAX_BULK_ROWS, `must have at most ${MAX_BULK_ROWS} rows`)),
  }),
  {
    description: `Or text/csv with the header email,role,team (UTF-8, with or without a BOM). At most ${MAX_BULK_ROWS} rows; each row is checked on its own (an invalid one is an outcome, not a 400).`,
  },
);

export const CreateCompanyRequest = z.strictObject({ name: Name() });

export const AddCompanyOrgRequest = z.strictObject({ orgId: Id });

export const AddDomainRequest = z.strictObject({ domain: DomainInput });

export const SetAutoProvisioningRequest = z.strictObject({
  enabled: z.boolean('must be true or false'),
  orgId: meta(z.optional(z.nullable(Id)), {
    description: 'The org people join; required at company scope when enabling',
  }),
});

export const CreateSsoConnectionRequest = z.strictObject({
  name: ConnectionName,
  idp: z.optional(IdpSettings),
  providerName: meta(z.optional(ProviderName), {
    description:
      'Instead of idp: a provider the operator bound to this org or company (deployment configuration)',
  }),
  domains: z
    .array(DomainInput)
    .check(
      z.minLength(1, 'must name at least one verified domain'),
      z.maxLength(20, 'must name at most 20 domains'),
    ),
  jit: meta(z.optional(z.boolean('must be true or false')), { description: 'Defaults to true' }),
  scim: meta(z.optional(z.boolean('must be true or false')), {
    description: 'Defaults to false',
  }),
  defaultOrgId: meta(z.optional(Id), {
    description: 'Defaults to the org at org scope; required at company scope',
  }),
  defaultTeam: z.optional(z.nullable(TeamName)),
  enforcement: meta(z.optional(EnforcementMode), {
    description:
      "SPEC §12, defaults to off. on: people on the connection's domains must sign in through it (409 unless someone signed in through it in the last 30 days); report: nothing is refused, would-be refusals are recorded",
  }),
  breakGlass: meta(
    z.optional(
      z
        .array(Email)
        .check(z.maxLength(MAX_BREAK_GLASS, `must name at most ${MAX_BREAK_GLASS} owners`)),
    ),
    {
      description: `At most ${MAX_BREAK_GLASS} owners of the default org (or, at company scope, of the company) who may still sign in with a password while enforcement is on`,
    },
  ),
});

export const UpdateSsoConnectionRequest = z.partial(CreateSsoConnectionRequest);

/** The HTTP sign-in hook's body (served by its own function; documented here). */
export { SignInHookRequest };

// ---- responses ---------------------------------------------------------------------------

const Timestamp = meta(z.string(), { format: 'date-time' });

export const Org = z.object({
  id: z.string(),
  name: z.string(),
  companyId: z.nullable(z.string()),
  seatLimit: z.nullable(z.int()),
  seatsUsed: z.int(),
});

export const Member = z.object({
  email: z.string(),
  username: meta(z.nullable(z.string()), { description: 'null until the person has signed in' }),
  name: z.nullable(z.string()),
  role: Role,
  teams: z.array(z.string()),
  via: Via,
  joinedAt: Timestamp,
  suspended: meta(z.optional(z.literal(true)), {
    description:
      "Present (true) on an owner a connection's SCIM client deactivated while they were the org's last owner: the membership is kept but administers nothing, counts as no owner and is in no token, until a company owner sets the role to owner again or the identity provider reactivates them",
  }),
});

export const Invitation = z.object({
  email: z.string(),
  role: Role,
  team: z.nullable(z.string()),
  invitedBy: z.string(),
  createdAt: Timestamp,
  status: meta(z.enum(['pending', 'expired']), {
    description:
      'SPEC §13: expired from expiresAt on (never accepted); an expired invitation is listed for 30 days, then deleted',
  }),
  expiresAt: Timestamp,
  sentAt: meta(Timestamp, {
    description: 'When it was last mailed; a resend is possible 10 minutes later',
  }),
});

export const BulkOutcome = z.object({
  row: meta(z.int(), {
    description: 'The row number: 1 for the first invitation (the line after a CSV header)',
  }),
  email: meta(z.nullable(z.string()), { description: 'Normalised; null when unreadable' }),
  outcome: z.enum(['invited', 'already_member', 'already_invited', 'duplicate', 'invalid']),
  reason: meta(z.optional(z.string()), {
    description: 'Why (invalid, duplicate and an expired invitation)',
  }),
});

export const BulkInvitationsResponse = z.object({
  dryRun: z.boolean(),
  needed: meta(z.int(), { description: 'Seats the new invitations take' }),
  available: meta(z.nullable(z.int()), { description: 'Free seats; null when unlimited' }),
  counts: z.record(z.string(), z.int()),
  results: z.array(BulkOutcome),
});

export const Team = z.object({ name: z.string(), memberCount: z.int() });

/** SPEC §9: the caller's own view; each list holds at most `ME_LIST_LIMIT` entries. */
export const Me = z.object({
  email: z.string(),
  username: meta(z.nullable(z.string()), { description: 'null until the person has signed in' }),
  name: z.nullable(z.string()),
  memberships: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: Role,
      teams: z.array(z.string()),
      via: Via,
    }),
  ),
  companies: meta(z.array(z.object({ id: z.string(), name: z.string() })), {
    description: 'The companies the caller owns',
  }),
  invitations: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: Role,
      team: z.nullable(z.string()),
      invitedBy: z.string(),
      createdAt: Timestamp,
    }),
  ),
  truncated: meta(z.boolean(), {
    description: 'True when a list was cut at 100 entries (it has more)',
  }),
});

export const Company = z.object({
  id: z.string(),
  name: z.string(),
  orgs: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const Domain = z.object({
  domain: z.string(),
  status: z.enum(['pending', 'verified']),
  txtRecord: z.object({
    name: meta(z.string(), {
      description: 'The domain itself (the apex, @ in most DNS consoles)',
    }),
    value: meta(z.string(), { examples: ['provisio-verification=3f9c…'] }),
  }),
  autoProvisioning: z.object({ enabled: z.boolean(), orgId: z.nullable(z.string()) }),
  ssoConnectionId: z.nullable(z.string()),
  verifiedAt: z.nullable(Timestamp),
  nextCheckAt: meta(z.nullable(Timestamp), {
    description:
      'When the domain checker looks the TXT record up next: hourly for 72 hours after the domain was added while pending, daily once verified; null when it no longer looks',
  }),
  missingSince: meta(z.nullable(Timestamp), {
    description:
      'Since when the checker has found the TXT record missing. Verified: verification is lost 7 days after this unless the record comes back. Pending: verification was lost because the record stayed missing',
  }),
  checkExpired: meta(z.boolean(), {
    description:
      'Pending and no longer checked automatically (72 hours after it was added, or after verification was lost): publish the TXT record and call POST .../verify',
  }),
});

/** What the record keeps of the provider's settings (never the client secret). */
export const ProviderSource = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('created'),
    type: z.literal('saml'),
    metadataUrl: z.nullable(z.string()),
    groupsClaim: z.string(),
  }),
  z.object({
    source: z.literal('created'),
    type: z.literal('oidc'),
    issuer: z.string(),
    clientId: z.string(),
    groupsClaim: z.string(),
  }),
  z.object({ source: z.literal('bound') }),
]);

/** What to paste into the IdP; null URLs when the pool has no hosted domain. */
export const ServiceProvider = z.nullable(
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('saml'),
      acsUrl: z.nullable(z.string()),
      entityId: z.nullable(z.string()),
    }),
    z.object({ type: z.literal('oidc'), redirectUri: z.nullable(z.string()) }),
  ]),
);

const LastSsoSignInOn = meta(z.nullable(z.string()), {
  format: 'date',
  description: 'The day someone last signed in through the connection',
});

/** SPEC §12 no lockout, read before switching enforcement on. */
export const EnforcementCheck = z.object({
  lastSsoSignInOn: LastSsoSignInOn,
  peopleWithoutSso: meta(z.int(), {
    description:
      "People who signed in on the connection's domains without SSO in the last 30 days: with enforcement on they must use SSO",
  }),
  canEnforce: meta(z.boolean(), {
    description:
      'Whether switching enforcement to on would be accepted: someone signed in through the connection in the last 30 days',
  }),
});

export const SsoConnection = z.object({
  id: z.string(),
  name: z.string(),
  providerName: meta(z.string(), {
    description: 'The Cognito identity provider: derived by Provisio, or operator-bound',
  }),
  idp: ProviderSource,
  serviceProvider: ServiceProvider,
  domains: z.array(z.string()),
  active: meta(z.boolean(), {
    description: 'False while the connection serves no verified domain: its sign-ins are denied',
  }),
  jit: z.boolean(),
  scim: z.boolean(),
  defaultOrgId: z.string(),
  defaultTeam: z.nullable(z.string()),
  enforcement: meta(EnforcementMode, { description: 'SPEC §12 SSO enforcement' }),
  breakGlass: meta(z.array(z.string()), {
    description: 'Owners who may still sign in with a password while enforcement is on',
  }),
  enforcementCheck: meta(
    z.optional(
      z.object({
        lastSsoSignInOn: LastSsoSignInOn,
        peopleWithoutSso: meta(z.int(), {
          description:
            "People who signed in on the connection's domains without SSO in the last 30 days: from now on they must use SSO",
        }),
      }),
    ),
    {
      description:
        'Only in the answer of the change that switched enforcement to on (a refused switch answers the same fields in its 409)',
    },
  ),
  createdAt: Timestamp,
});

export const ScimToken = z.object({
  token: meta(z.string(), {
    description: 'The bearer token for the SCIM client; shown once, only its hash is kept',
  }),
  baseUrl: meta(z.string(), { description: 'The SCIM base URL (tenant URL) of the connection' }),
  createdAt: Timestamp,
});

export const EventType = z.enum(EVENT_TYPES);

export const Event = z.object({
  id: z.string(),
  seq: meta(z.nullable(z.int()), {
    description:
      "The event's number in its org (or, for a company-level event, its company): 1, 2, 3, … with no gap and no repeat (SPEC §11); null for an event recorded before events were numbered",
  }),
  type: EventType,
  at: Timestamp,
  actor: z.string(),
  subject: z.string(),
  orgId: meta(z.nullable(z.string()), { description: 'null for company-level changes' }),
  details: z.record(z.string(), z.unknown()),
});

/** SPEC §13: an account on a verified domain of the scope that is not a member. */
export const DomainAuditEntry = z.object({
  email: z.string(),
  username: z.string(),
  name: z.nullable(z.string()),
  lastSignInOn: meta(z.nullable(z.string()), {
    format: 'date',
    description:
      'The day (UTC) of the last sign-in recorded, written at most once a day; null when none was recorded since the audit began',
  }),
  lastSignInMethod: meta(z.nullable(z.enum(['password', 'social', 'sso', 'hook'])), {
    description:
      "How the person signed in on lastSignInOn (that day's first sign-in): password, social (a Cognito social provider), sso (an SSO connection's provider, either door) or hook (the HTTP sign-in hook without a connection)",
  }),
  status: meta(z.enum(['uncaptured', 'invited']), {
    description:
      'invited: a pending invitation to the org (at company scope: to an org of the company); uncaptured: none',
  }),
});

const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: meta(z.nullable(z.string()), { description: 'null at the end of the list' }),
  });

export const MemberPage = pageOf(Member);
export const InvitationPage = pageOf(Invitation);
export const TeamPage = pageOf(Team);
export const DomainPage = pageOf(Domain);
export const SsoConnectionPage = pageOf(SsoConnection);
export const EventPage = pageOf(Event);
export const DomainAuditPage = pageOf(DomainAuditEntry);

export const SignInHookResponse = z.object({
  decision: z.literal('allow'),
  degraded: meta(z.optional(z.boolean()), {
    description:
      'Present (true) when a password or social sign-in was let through without a decision because Provisio could not decide (SPEC §3.5.6)',
  }),
  memberships: z.array(
    z.object({ orgId: z.string(), orgName: z.string(), role: Role, teams: z.array(z.string()) }),
  ),
});

/** RFC 9457 problem document; some carry more members (`found`, `expected`, `companyId`). */
export const Problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  field: meta(z.optional(z.string()), { description: 'The field that failed validation (400)' }),
});

// ---- webhooks (SPEC §11) ------------------------------------------------------------------

const WebhookUrl = meta(
  z
    .string()
    .check(
      z.minLength(1, 'must be an https URL'),
      z.maxLength(2048, 'must be at most 2048 characters'),
    ),
  {
    format: 'uri',
    description:
      'https only (a deployment may allow http to loopback); the host must resolve only to public addresses',
    examples: ['https://hooks.example.com/provisio'],
  },
);

const WebhookTypes = meta(
  z.array(EventType).check(z.minLength(1, 'must name at least one event type')),
  { description: 'The event types delivered; omitted or null: every type' },
);

const WebhookDescription = z.nullable(
  z.string().check(z.trim(), z.maxLength(200, 'must be at most 200 characters')),
);

export const CreateWebhookRequest = z.strictObject({
  url: WebhookUrl,
  types: z.optional(z.nullable(WebhookTypes)),
  description: z.optional(WebhookDescription),
});

export const UpdateWebhookRequest = z.strictObject({
  url: z.optional(WebhookUrl),
  types: z.optional(z.nullable(WebhookTypes)),
  description: z.optional(WebhookDescription),
  enabled: meta(z.optional(z.boolean('must be true or false')), {
    description: 'false pauses deliveries; true resumes them (and clears a disabled state)',
  }),
});

export const ReplayWebhookRequest = z.strictObject({
  fromSeq: meta(
    z.int('must be an integer of 1 or more').check(z.gte(1, 'must be an integer of 1 or more')),
    { description: "The first event's seq to send again" },
  ),
});

export const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  types: meta(z.nullable(z.array(EventType)), { description: 'null: every type' }),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  disabledReason: meta(z.nullable(z.enum(['gone', 'failing'])), {
    description:
      'Why Provisio disabled it: gone (it answered 410), failing (every delivery failed for 5 days)',
  }),
  failingSince: meta(z.nullable(Timestamp), {
    description: 'The first failed attempt since the last delivered one',
  }),
  createdAt: Timestamp,
});

export const CreatedWebhook = z.object({
  ...Webhook.shape,
  secret: meta(z.string(), {
    description:
      'The signing secret (whsec_ + base64 of 32 random bytes); shown once, never returned again',
  }),
});

export const WebhookSecret = z.object({
  secret: meta(z.string(), { description: 'The new signing secret; shown once' }),
  previousSecretExpiresAt: meta(Timestamp, {
    description: 'Until then every delivery is signed with both secrets',
  }),
});

export const WebhookDelivery = z.object({
  eventId: meta(z.string(), { description: 'The event id, sent as webhook-id' }),
  seq: z.nullable(z.int()),
  type: EventType,
  attempt: z.int(),
  at: Timestamp,
  statusCode: meta(z.nullable(z.int()), { description: 'null when no answer came' }),
  error: meta(z.nullable(z.string()), {
    description: 'Why no answer counted: a timeout, a refused address, a connection error',
  }),
  durationMs: z.int(),
  outcome: z.enum(['delivered', 'retrying', 'failed', 'disabled', 'skipped']),
  nextAttemptAt: z.nullable(Timestamp),
  replay: z.boolean(),
});

export const WebhookReplay = z.object({
  id: z.string(),
  webhookId: z.string(),
  fromSeq: z.int(),
  requestedAt: Timestamp,
});

export const WebhookPage = pageOf(Webhook);
export const WebhookDeliveryPage = pageOf(WebhookDelivery);

// ---- by name -----------------------------------------------------------------------------

/** The request-body schemas by name, as the route table names them (components of the OpenAPI document). */
export const requestSchemas = {
  CreateOrgRequest,
  UpdateOrgRequest,
  SetRoleRequest,
  CreateInvitationRequest,
  BulkInvitationsRequest,
  CreateCompanyRequest,
  AddCompanyOrgRequest,
  AddDomainRequest,
  SetAutoProvisioningRequest,
  CreateSsoConnectionRequest,
  UpdateSsoConnectionRequest,
  SignInHookRequest,
  CreateWebhookRequest,
  UpdateWebhookRequest,
  ReplayWebhookRequest,
} as const;

/** The response schemas by name. */
export const responseSchemas = {
  Me,
  Org,
  Member,
  MemberPage,
  Invitation,
  InvitationPage,
  BulkInvitationsResponse,
  TeamPage,
  Company,
  Domain,
  DomainPage,
  SsoConnection,
  SsoConnectionPage,
  ScimToken,
  EnforcementCheck,
  EventPage,
  DomainAuditPage,
  SignInHookResponse,
  Problem,
  Webhook,
  CreatedWebhook,
  WebhookSecret,
  WebhookPage,
  WebhookDeliveryPage,
  WebhookReplay,
} as const;

export type RequestSchemaName = keyof typeof requestSchemas;
export type ResponseSchemaName = keyof typeof responseSchemas;

export type OrgView = z.infer<typeof Org>;
export type MeView = z.infer<typeof Me>;
export type ScimTokenView = z.infer<typeof ScimToken>;
export type EnforcementCheckView = z.infer<typeof EnforcementCheck>;
export type MemberView = z.infer<typeof Member>;
export type InvitationView = z.infer<typeof Invitation>;
export type BulkInvitationsView = z.infer<typeof BulkInvitationsResponse>;
export type BulkOutcomeView = z.infer<typeof BulkOutcome>;
export type TeamView = z.infer<typeof Team>;
export type CompanyView = z.infer<typeof Company>;
export type DomainView = z.infer<typeof Domain>;
export type SsoConnectionView = z.infer<typeof SsoConnection>;
export type EventView = z.infer<typeof Event>;
export type WebhookView = z.infer<typeof Webhook>;
export type WebhookSecretView = z.infer<typeof WebhookSecret>;
export type WebhookDeliveryView = z.infer<typeof WebhookDelivery>;
export type WebhookReplayView = z.infer<typeof WebhookReplay>;
export type DomainAuditView = z.infer<typeof DomainAuditEntry>;
