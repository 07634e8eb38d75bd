/**
 * One zod schema per request body and per response of the admin API (SPEC §5). The router
 * validates with them and the OpenAPI document is generated from them (`z.toJSONSchema`), so
 * what is checked and what is documented cannot drift.
 */
import { z } from 'zod';
import { normaliseEmail } from '../domains/normalise.ts';
import { EVENT_TYPES } from '../events.ts';
import { SLUG } from '../sign-in/decide.ts';

// ---- building blocks ---------------------------------------------------------------------

const slug = (what: string) =>
  z
    .string()
    .regex(
      SLUG,
      `must be a ${what}: 2–39 characters a-z, 0-9 and '-', starting with a letter or digit`,
    )
    .meta({ pattern: SLUG.source, examples: ['acme'] });

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
]);

/** `null` means unlimited. */
export const SeatLimit = z
  .int('must be an integer from 0 to 1000000, or null for unlimited')
  .min(0, 'must be an integer from 0 to 1000000, or null for unlimited')
  .max(1_000_000, 'must be an integer from 0 to 1000000, or null for unlimited')
  .nullable()
  .meta({ description: 'Seats; null means unlimited' });

/** An email, normalised (trimmed, lower case, domain IDNA → ASCII). */
export const Email = z
  .string()
  .max(320)
  .transform((value, ctx) => {
    const normalised = normaliseEmail(value);
    if (!normalised) {
      ctx.issues.push({ code: 'custom', input: value, message: 'must be an email address' });
      return z.NEVER;
    }
    return normalised.email;
  })
  .meta({ format: 'email', examples: ['ada@example.com'] });

/** A domain as the caller writes it; `checkClaimableDomain` normalises it and says why not. */
export const DomainInput = z
  .string()
  .min(1, 'must be a domain name')
  .max(300, 'must be a domain name')
  .meta({ examples: ['example.com'] });

const Id = z.string().min(1, 'must be an id').max(100, 'must be an id');

/** Cognito identity provider names (1–32 characters, no spaces); see CreateIdentityProvider. */
export const ProviderName = z
  .string()
  .regex(
    /^[^\s_][^\s]{0,31}$/u,
    'must be a Cognito identity provider name: 1–32 characters, no spaces',
  )
  .meta({ examples: ['AcmeOkta'] });

const ConnectionName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

// ---- request bodies ----------------------------------------------------------------------

export const CreateOrgRequest = z.strictObject({ name: OrgName, seatLimit: SeatLimit.optional() });

export const UpdateOrgRequest = z.strictObject({ seatLimit: SeatLimit });

export const SetRoleRequest = z.strictObject({ role: Role });

export const CreateInvitationRequest = z.strictObject({
  email: Email,
  role: Role.optional().meta({ description: 'Defaults to member' }),
  team: TeamName.nullable().optional(),
});

export const CreateCompanyRequest = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});

export const AddCompanyOrgRequest = z.strictObject({ orgId: Id });

export const AddDomainRequest = z.strictObject({ domain: DomainInput });

export const SetAutoProvisioningRequest = z.strictObject({
  enabled: z.boolean('must be true or false'),
  orgId: Id.nullable()
    .optional()
    .meta({ description: 'The org people join; required at company scope when enabling' }),
});

export const CreateSsoConnectionRequest = z.strictObject({
  name: ConnectionName,
  providerName: ProviderName,
  domains: z
    .array(DomainInput)
    .min(1, 'must name at least one verified domain')
    .max(20, 'must name at most 20 domains'),
  jit: z.boolean('must be true or false').optional().meta({ description: 'Defaults to true' }),
  scim: z.boolean('must be true or false').optional().meta({ description: 'Defaults to false' }),
  defaultOrgId: Id.optional().meta({
    description: 'Defaults to the org at org scope; required at company scope',
  }),
  defaultTeam: TeamName.nullable().optional(),
});

export const UpdateSsoConnectionRequest = CreateSsoConnectionRequest.partial();

/** The HTTP sign-in hook's body (served by its own function; documented here). */
export const SignInHookRequest = z.object({
  email: z.string(),
  emailVerified: z.boolean().optional(),
  name: z.string().optional(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  connection: z.string().optional(),
  groups: z.array(z.string()).optional(),
});

// ---- responses ---------------------------------------------------------------------------

const Timestamp = z.string().meta({ format: 'date-time' });

export const Org = z.object({
  id: z.string(),
  name: z.string(),
  companyId: z.string().nullable(),
  seatLimit: z.int().nullable(),
  seatsUsed: z.int(),
});

export const Member = z.object({
  email: z.string(),
  username: z.string().nullable().meta({ description: 'null until the person has signed in' }),
  name: z.string().nullable(),
  role: Role,
  teams: z.array(z.string()),
  via: Via,
  joinedAt: Timestamp,
});

export const Invitation = z.object({
  email: z.string(),
  role: Role,
  team: z.string().nullable(),
  invitedBy: z.string(),
  createdAt: Timestamp,
});

export const Team = z.object({ name: z.string(), memberCount: z.int() });

export const Company = z.object({
  id: z.string(),
  name: z.string(),
  orgs: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const Domain = z.object({
  domain: z.string(),
  status: z.enum(['pending', 'verified']),
  txtRecord: z.object({
    name: z.string().meta({ description: 'The domain itself (the apex, @ in most DNS consoles)' }),
    value: z.string().meta({ examples: ['provisio-verification=3f9c…'] }),
  }),
  autoProvisioning: z.object({ enabled: z.boolean(), orgId: z.string().nullable() }),
  ssoConnectionId: z.string().nullable(),
  verifiedAt: Timestamp.nullable(),
  nextCheckAt: Timestamp.nullable().meta({
    description:
      'When the domain checker looks the TXT record up next: hourly for 72 hours after the domain was added while pending, daily once verified; null when it no longer looks',
  }),
  missingSince: Timestamp.nullable().meta({
    description:
      'Since when the checker has found the TXT record missing. Verified: verification is lost 7 days after this unless the record comes back. Pending: verification was lost because the record stayed missing',
  }),
  checkExpired: z.boolean().meta({
    description:
      'Pending and no longer checked automatically (72 hours after it was added, or after verification was lost): publish the TXT record and call POST .../verify',
  }),
});

export const SsoConnection = z.object({
  id: z.string(),
  name: z.string(),
  providerName: z.string(),
  domains: z.array(z.string()),
  jit: z.boolean(),
  scim: z.boolean(),
  defaultOrgId: z.string(),
  defaultTeam: z.string().nullable(),
  createdAt: Timestamp,
});

export const EventType = z.enum(EVENT_TYPES);

export const Event = z.object({
  id: z.string(),
  type: EventType,
  at: Timestamp,
  actor: z.string(),
  subject: z.string(),
  orgId: z.string().nullable().meta({ description: 'null for company-level changes' }),
  details: z.record(z.string(), z.unknown()),
});

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'null at the end of the list' }),
  });

export const MemberPage = pageOf(Member);
export const InvitationPage = pageOf(Invitation);
export const TeamPage = pageOf(Team);
export const DomainPage = pageOf(Domain);
export const SsoConnectionPage = pageOf(SsoConnection);
export const EventPage = pageOf(Event);

export const SignInHookResponse = z.object({
  decision: z.literal('allow'),
  degraded: z.boolean().optional().meta({
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
  field: z.string().optional().meta({ description: 'The field that failed validation (400)' }),
});

export type OrgView = z.infer<typeof Org>;
export type MemberView = z.infer<typeof Member>;
export type InvitationView = z.infer<typeof Invitation>;
export type TeamView = z.infer<typeof Team>;
export type CompanyView = z.infer<typeof Company>;
export type DomainView = z.infer<typeof Domain>;
export type SsoConnectionView = z.infer<typeof SsoConnection>;
export type EventView = z.infer<typeof Event>;
