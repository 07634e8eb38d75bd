/**
 * The admin API's route table (SPEC §5): one entry per route, naming its request and response
 * schemas (`schemas.ts`) and the core operation it runs. The router below and the OpenAPI
 * document (`openapi.ts`) are both generated from this table, so they cannot drift.
 *
 * Every request goes through the same checks in the spec's order: token (401), access to the
 * scope (404), scope rules such as "use the company" (409), validation (400), then the
 * operation, whose state conflicts are 409.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import { normaliseEmail } from '../../domains/normalise.ts';
import { AppError, NotFoundError, ValidationError } from '../../errors.ts';
import { bodyText } from '../../http/body.ts';
import { requestOrigin } from '../../http/origin.ts';
import { json } from '../../http/problem.ts';
import { type PageRequest, parsePageRequest } from '../../model/page.ts';
import type { AdminDeps, Caller, ScopeContext } from '../../model/writes.ts';
import { MAX_EVENT_SEQ } from '../../table/schema.ts';
import { cognitoIdentity } from '../../trust/vouch.ts';
import { parseBody } from '../../validation.ts';
import {
  type Ctx,
  companyScope,
  orgScope,
  orgView,
  requireOwnDomainsAndSso,
  resolveCompany,
  resolveOrg,
} from '../context.ts';
import type { RequestSchemaName, ResponseSchemaName } from '../schemas.ts';
import { type CallerClaims, callerClaims, trustedCaller } from './caller.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The operations of each area of the API, loaded by the area's first request rather than when
 * the handler starts: a request runs one area's operations, and bundled with code splitting
 * (infra/constructs/provisio-function.ts) each area is a chunk of its own, so a cold start
 * reads only the router, the checks every request makes and the adapters.
 */
const areas = {
  companies: () => import('../companies.ts'),
  domainAudit: () => import('../domain-audit.ts'),
  domains: () => import('../domains.ts'),
  events: () => import('../events.ts'),
  invitations: () => import('../invitations.ts'),
  me: () => import('../me.ts'),
  orgs: () => import('../orgs.ts'),
  sso: () => import('../sso.ts'),
  webhooks: () => import('../webhooks.ts'),
};

/**
 * The most a bulk invitation body may weigh: 1,000 rows of the longest addresses (320
 * characters) with a role and a team fit in well under it, and it is far below API Gateway's
 * 10 MB and Lambda's 6 MB request payload.
 */
const MAX_BULK_BODY_BYTES = 1024 * 1024;

const BULK_PARAMETERS = [
  {
    name: 'dryRun',
    in: 'query',
    required: false,
    description: 'true: answer the outcomes and seats without writing or mailing anything',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      '1–200 printable ASCII characters. The same key within 24 h answers the first result and mails nobody again.',
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  },
  {
    name: 'Content-Type',
    in: 'header',
    required: true,
    description: 'application/json, or text/csv (header email,role,team; UTF-8, BOM allowed)',
    schema: { type: 'string' },
  },
] as const satisfies readonly Record<string, unknown>[];

/** What an operation is handed once the checks have passed. */
export interface RouteInput<Body = unknown> {
  ctx: Ctx;
  params: Record<string, string>;
  /** The scope named by the path, resolved (org or company routes). */
  scope: ScopeContext;
  page: PageRequest;
  /** The query string (a route with `query` parameters reads and validates its own). */
  query: Readonly<Record<string, string | undefined>>;
  /** The body its request schema validated (undefined for a route without one). */
  body: Body;
  /** The API's origin as the caller reached it (`https://api.example.com`), for URLs to hand out. */
  origin: string;
  /** The request as sent, for a route that reads it itself (a `raw` body, options in the query). */
  request: {
    /** Header names in lower case. */
    headers: Readonly<Record<string, string | undefined>>;
    query: Readonly<Record<string, string | undefined>>;
    /** The body as text (a `raw` route only; `''` otherwise). */
    body: string;
  };
}

/** An answer a route shapes itself (a CSV download), sent as it is. */
export class RawAnswer {
  constructor(readonly response: APIGatewayProxyStructuredResultV2) {}
}

/**
 * What a request schema validates a body into. Type-only: the schemas themselves load with the
 * first request that has a body (`loadSchemas`), not with the handler.
 */
type BodyOf<R> = R extends RequestSchemaName
  ? z.output<typeof import('../schemas.ts')['requestSchemas'][R]>
  : undefined;

/** A query parameter of a route, as the OpenAPI document describes it. */
export interface QueryParameter {
  name: string;
  description: string;
  /** Its JSON schema (string parameters: `type: string`, with an `enum` or a `pattern`). */
  schema: Record<string, unknown>;
}

export interface RouteSpec {
  method: Method;
  /** Path template with `{param}` segments, as in the OpenAPI document. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Whether the route needs a bearer token. */
  auth: boolean;
  /** The path parameter naming the scope the caller must administer (404 otherwise). */
  scope?: 'orgId' | 'companyId';
  /** The scope rule (409) of org-level domain and SSO routes: an org in a company uses the company. */
  ownScopeOnly?: 'domains' | 'SSO connections' | 'domain audit';
  /** A paginated list (`limit`, `cursor`). */
  list?: boolean;
  /** Also answers `text/csv` with `?format=csv` (documented in the OpenAPI document). */
  csv?: boolean;
  /** Query parameters besides `limit` and `cursor`, for the OpenAPI document. */
  query?: readonly QueryParameter[];
  request?: RequestSchemaName;
  /** The success status and its body's schema (none for 204). */
  status: 200 | 201 | 202 | 204;
  response?: ResponseSchemaName;
  /** Problem statuses the route answers besides 401/500/503. */
  problems: readonly number[];
  /** Extra words for the OpenAPI description. */
  description?: string;
  /** Served by another function (documented here); the admin function answers 404. */
  external?: boolean;
  /**
   * The route reads its body itself (`request.body`, at most `maxBytes`, 413 beyond): the
   * router does not parse it as JSON. `csv`: it takes `text/csv` as well (documented).
   */
  raw?: { maxBytes: number; csv?: boolean };
  /** Query and header parameters, as OpenAPI parameter objects (documentation only). */
  parameters?: readonly Record<string, unknown>[];
  run?: (input: RouteInput) => Promise<unknown>;
}

/** A route of the table: its `run` is handed the body typed by its `request` schema. */
function defineRoute<const R extends RequestSchemaName | undefined = undefined>(
  spec: Omit<RouteSpec, 'request' | 'run'> & {
    request?: R;
    run?: (input: RouteInput<BodyOf<R>>) => Promise<unknown>;
  },
): RouteSpec {
  return spec as RouteSpec;
}

const org = (i: RouteInput) => (i.scope as Extract<ScopeContext, { type: 'org' }>).org;
const company = (i: RouteInput) => (i.scope as Extract<ScopeContext, { type: 'company' }>).company;

/** A member's email in the path: normalised; 400 naming `email`. */
function emailParam(raw: string | undefined): string {
  const email = normaliseEmail(raw ?? '');
  if (!email) throw new ValidationError('email', 'is not an email address');
  return email.email;
}

const scopes = [
  { prefix: 'orgs/{orgId}', param: 'orgId', name: 'Org', tag: 'orgs' },
  { prefix: 'companies/{companyId}', param: 'companyId', name: 'Company', tag: 'companies' },
] as const;

type Scope = (typeof scopes)[number];

/**
 * A route every scope serves alike, declared once: `path` is below the scope
 * (`/domains/{domain}` for `/v1/orgs/{orgId}/domains/{domain}`), `{Scope}` in `operationId`
 * stands for `Org` or `Company`, and the scope's tag, token and access check come with it.
 * `ownScopeOnly` applies to the org variant only (an org in a company uses the company's); a
 * `description` may be given per scope.
 */
function scopedRoute<const R extends RequestSchemaName | undefined = undefined>(
  spec: Omit<RouteSpec, 'tag' | 'auth' | 'scope' | 'description' | 'request' | 'run'> & {
    description?: string | Readonly<Record<Scope['param'], string>>;
    request?: R;
    run: (input: RouteInput<BodyOf<R>>) => Promise<unknown>;
  },
): (scope: Scope) => RouteSpec {
  const { path, operationId, ownScopeOnly, description, ...rest } = spec;
  // As in `defineRoute`: `run` is typed by its schema; the table holds it as any route's.
  return ({ prefix, param, name, tag }) =>
    ({
      ...rest,
      path: `/v1/${prefix}${path}`,
      operationId: operationId.replace('{Scope}', name),
      tag,
      auth: true,
      scope: param,
      ...(ownScopeOnly && param === 'orgId' ? { ownScopeOnly } : {}),
      ...(description === undefined
        ? {}
        : { description: typeof description === 'string' ? description : description[param] }),
    }) as RouteSpec;
}

/**
 * A paged list (`limit`, `cursor`) below a scope: GET, 200 with a page; a bad query is 400, and
 * 409 comes only with the scope rule.
 */
function listRoute(
  spec: Pick<RouteSpec, 'path' | 'operationId' | 'summary' | 'ownScopeOnly' | 'csv' | 'query'> & {
    response: ResponseSchemaName;
    description?: string | Readonly<Record<Scope['param'], string>>;
    run: (input: RouteInput) => Promise<unknown>;
  },
): (scope: Scope) => RouteSpec {
  return scopedRoute({
    method: 'GET',
    list: true,
    status: 200,
    problems: spec.ownScopeOnly ? [400, 404, 409] : [400, 404],
    ...spec,
  });
}

/** The query parameters of an event list (SPEC §11), validated by `parseEventQuery`. */
const EVENT_QUERY: readonly QueryParameter[] = [
  {
    name: 'order',
    description: '`desc` (newest first, the default) or `asc` (oldest first)',
    schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
  },
  {
    name: 'after',
    description:
      'Only events numbered after this `seq`, in number order; needs `order=asc`. 0 reads from the first numbered event.',
    schema: { type: 'integer', minimum: 0, maximum: MAX_EVENT_SEQ },
  },
  {
    name: 'types',
    description: 'Only events of these types, comma-separated (`member_added,member_removed`)',
    schema: { type: 'string', pattern: '^[a-z_]+(,[a-z_]+)*$' },
  },
];

/** Each scope's variant of every scoped route: all the org routes, then all the company ones. */
const atEveryScope = (scoped: readonly ((scope: Scope) => RouteSpec)[]): RouteSpec[] =>
  scopes.flatMap((scope) => scoped.map((route) => route(scope)));

/** Routes one scope alone serves (`operationId` names the scope itself). */
const atScope = (
  param: Scope['param'],
  scoped: readonly ((scope: Scope) => RouteSpec)[],
): RouteSpec[] => {
  const scope = scopes.find((s) => s.param === param)!;
  return scoped.map((route) => route(scope));
};

export const routes: readonly RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/me',
    operationId: 'getMe',
    summary: "The caller's memberships, owned companies and pending invitations",
    tag: 'me',
    auth: true,
    status: 200,
    response: 'Me',
    problems: [],
    description:
      'From the person summary, in one read. Lists are not paged: each holds at most 100 entries, and truncated says when one was cut (SPEC §9).',
    run: async (i) => (await areas.me()).getMe(i.ctx),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/orgs',
    operationId: 'createOrg',
    summary: 'Create an org; the caller becomes its owner',
    tag: 'orgs',
    auth: true,
    request: 'CreateOrgRequest',
    status: 201,
    response: 'Org',
    problems: [400, 409],
    description:
      'The caller becomes the first owner and takes the first seat, so a seatLimit must be at least 1. Org names are unique (409).',
    run: async (i) => (await areas.orgs()).createOrg(i.ctx, i.body),
  }),
  ...atScope('orgId', [
    scopedRoute({
      method: 'GET',
      path: '',
      operationId: 'getOrg',
      summary: 'Get an org with its seats',
      status: 200,
      response: 'Org',
      problems: [404],
      run: async (i) => orgView(org(i)),
    }),
    scopedRoute({
      method: 'PATCH',
      path: '',
      operationId: 'updateOrg',
      summary: 'Change the seat limit',
      request: 'UpdateOrgRequest',
      status: 200,
      response: 'Org',
      problems: [400, 404, 409],
      description: 'A limit below seatsUsed (members and pending invitations) is 409.',
      run: async (i) => (await areas.orgs()).updateOrg(i.ctx, org(i), i.body),
    }),
    listRoute({
      path: '/members',
      operationId: 'listMembers',
      summary: 'List members',
      response: 'MemberPage',
      run: async (i) => (await areas.orgs()).listMembers(i.ctx, org(i), i.page),
    }),
    scopedRoute({
      method: 'PUT',
      path: '/members/{email}',
      operationId: 'setMemberRole',
      summary: "Change a member's role",
      request: 'SetRoleRequest',
      status: 200,
      response: 'Member',
      problems: [400, 404, 409],
      description: 'The last owner cannot be demoted (409).',
      run: async (i) =>
        (await areas.orgs()).setMemberRole(i.ctx, org(i), emailParam(i.params.email), i.body),
    }),
    scopedRoute({
      method: 'DELETE',
      path: '/members/{email}',
      operationId: 'removeMember',
      summary: 'Remove a member, freeing a seat',
      status: 204,
      problems: [400, 404, 409],
      description: 'The last owner cannot be removed (409).',
      run: async (i) =>
        (await areas.orgs()).removeMember(i.ctx, org(i), emailParam(i.params.email)),
    }),
    scopedRoute({
      method: 'POST',
      path: '/invitations',
      operationId: 'createInvitation',
      summary: 'Invite an email (holds a seat until it expires)',
      request: 'CreateInvitationRequest',
      status: 201,
      response: 'Invitation',
      problems: [400, 404, 409],
      description:
        'Needs a free seat (409 otherwise); 409 when the email is already a member or invited. The invitee is emailed. Expires after expiresInDays (default 14, SPEC §13).',
      run: async (i) => (await areas.invitations()).createInvitation(i.ctx, org(i), i.body),
    }),
    scopedRoute({
      method: 'POST',
      path: '/invitations:bulk',
      operationId: 'bulkInvitations',
      summary: 'Invite up to 1,000 emails at once (JSON or CSV)',
      request: 'BulkInvitationsRequest',
      raw: { maxBytes: MAX_BULK_BODY_BYTES, csv: true },
      parameters: BULK_PARAMETERS,
      status: 200,
      response: 'BulkInvitationsResponse',
      problems: [400, 404, 409, 413, 415],
      description:
        'SPEC §13. Each row gets an outcome (invited, already_member, already_invited, duplicate, invalid with the reason and row number). All or nothing on seats: when the new invitations need more seats than are free, nothing is invited (409 with needed and available). Every invitee is mailed once; the same Idempotency-Key within 24 h answers the first result and mails nobody again (409 while the first is still running).',
      run: async (i) =>
        (await loadBulk()).bulkInvitations(i.ctx, org(i), {
          contentType: i.request.headers['content-type'],
          body: i.request.body,
          dryRun: i.request.query.dryRun,
          idempotencyKey: i.request.headers['idempotency-key'],
        }),
    }),
    listRoute({
      path: '/invitations',
      operationId: 'listInvitations',
      summary: 'List invitations, pending and expired',
      response: 'InvitationPage',
      description:
        'SPEC §13: each with its status (pending, or expired from expiresAt on) and expiresAt; an expired invitation is listed for 30 days, then deleted.',
      run: async (i) => (await areas.invitations()).listInvitations(i.ctx, org(i), i.page),
    }),
    scopedRoute({
      method: 'POST',
      path: '/invitations/{email}/resend',
      operationId: 'resendInvitation',
      summary: 'Mail an invitation again and restart its expiry',
      status: 200,
      response: 'Invitation',
      problems: [400, 404, 409, 429],
      description:
        'SPEC §13: restarts the 14 days; an expired invitation becomes pending again when a seat is free (409 otherwise). At most once per 10 minutes per invitation: 429 with Retry-After (seconds).',
      run: async (i) =>
        (await areas.invitations()).resendInvitation(i.ctx, org(i), emailParam(i.params.email)),
    }),
    scopedRoute({
      method: 'DELETE',
      path: '/invitations/{email}',
      operationId: 'revokeInvitation',
      summary: 'Revoke an invitation, freeing its seat',
      description: 'Pending or expired; an expired invitation no longer holds a seat.',
      status: 204,
      problems: [400, 404],
      run: async (i) =>
        (await areas.invitations()).revokeInvitation(i.ctx, org(i), emailParam(i.params.email)),
    }),
    listRoute({
      path: '/teams',
      operationId: 'listTeams',
      summary: 'List teams with member counts',
      response: 'TeamPage',
      run: async (i) => (await areas.orgs()).listTeams(i.ctx, org(i), i.page),
    }),
  ]),
  defineRoute({
    method: 'POST',
    path: '/v1/companies',
    operationId: 'createCompany',
    summary: 'Create a company; the caller becomes its owner',
    tag: 'companies',
    auth: true,
    request: 'CreateCompanyRequest',
    status: 201,
    response: 'Company',
    problems: [400],
    run: async (i) => (await areas.companies()).createCompany(i.ctx, i.body),
  }),
  ...atScope('companyId', [
    scopedRoute({
      method: 'GET',
      path: '',
      operationId: 'getCompany',
      summary: 'Get a company with its orgs',
      status: 200,
      response: 'Company',
      problems: [404],
      run: async (i) => (await areas.companies()).getCompany(i.ctx, company(i)),
    }),
    scopedRoute({
      method: 'POST',
      path: '/orgs',
      operationId: 'addCompanyOrg',
      summary: 'Move an org the caller owns into the company',
      request: 'AddCompanyOrgRequest',
      status: 200,
      response: 'Company',
      problems: [400, 404, 409],
      description:
        'Answers with the company as it now is. An org the caller does not own is 404; an org in another company, or one with its own domains or SSO connections (remove them first), is 409.',
      run: async (i) => (await areas.companies()).addOrgToCompany(i.ctx, company(i), i.body),
    }),
  ]),
  ...atEveryScope([
    scopedRoute({
      method: 'POST',
      path: '/domains',
      operationId: 'add{Scope}Domain',
      summary: 'Add a domain (pending until verified)',
      ownScopeOnly: 'domains',
      request: 'AddDomainRequest',
      status: 201,
      response: 'Domain',
      problems: [400, 404, 409],
      description:
        'The domain is normalised (lower case, IDNA → punycode, no trailing dot). Public suffixes (Public Suffix List, ICANN and private sections) and free mailbox providers are 400. Publish txtRecord, then verify.',
      run: async (i) => (await areas.domains()).addDomain(i.ctx, i.scope, i.body),
    }),
    listRoute({
      path: '/domains',
      operationId: 'list{Scope}Domains',
      summary: 'List domains',
      ownScopeOnly: 'domains',
      response: 'DomainPage',
      run: async (i) => (await areas.domains()).listDomains(i.ctx, i.scope, i.page),
    }),
    scopedRoute({
      method: 'POST',
      path: '/domains/{domain}/verify',
      operationId: 'verify{Scope}Domain',
      summary: 'Look the TXT record up now',
      ownScopeOnly: 'domains',
      status: 200,
      response: 'Domain',
      problems: [400, 404, 409],
      description:
        'Looks up TXT records of the domain afresh; 200 when one equals txtRecord.value, else 409 with what was found (`found`). A domain verified by another org or company is 409.',
      run: async (i) => (await areas.domains()).verifyDomain(i.ctx, i.scope, i.params.domain ?? ''),
    }),
    scopedRoute({
      method: 'PUT',
      path: '/domains/{domain}/auto-provisioning',
      operationId: 'set{Scope}AutoProvisioning',
      summary: 'Enable or disable auto-provisioning',
      ownScopeOnly: 'domains',
      request: 'SetAutoProvisioningRequest',
      status: 200,
      response: 'Domain',
      problems: [400, 404, 409],
      description: {
        orgId:
          'People signing in with a verified email on the domain join this org. Enabling an unverified domain is 409.',
        companyId:
          'orgId is required when enabling and must be an org of the company (400). Enabling an unverified domain is 409.',
      },
      run: async (i) =>
        (await areas.domains()).setAutoProvisioning(i.ctx, i.scope, i.params.domain ?? '', i.body),
    }),
    scopedRoute({
      method: 'DELETE',
      path: '/domains/{domain}',
      operationId: 'remove{Scope}Domain',
      summary: 'Remove a domain',
      ownScopeOnly: 'domains',
      status: 204,
      problems: [400, 404, 409],
      description: 'Disables its auto-provisioning and detaches it from SSO connections.',
      run: async (i) => (await areas.domains()).removeDomain(i.ctx, i.scope, i.params.domain ?? ''),
    }),
    scopedRoute({
      method: 'POST',
      path: '/sso-connections',
      operationId: 'create{Scope}SsoConnection',
      summary: 'Create an SSO connection',
      ownScopeOnly: 'SSO connections',
      request: 'CreateSsoConnectionRequest',
      status: 201,
      response: 'SsoConnection',
      problems: [400, 404, 409],
      description:
        'Every domain must be verified by this scope and served by no other connection (409); provider names are unique (409). Social providers (Google, Facebook, LoginWithAmazon, SignInWithApple) are 400.',
      run: async (i) => (await areas.sso()).createConnection(i.ctx, i.scope, i.body),
    }),
    listRoute({
      path: '/sso-connections',
      operationId: 'list{Scope}SsoConnections',
      summary: 'List SSO connections',
      ownScopeOnly: 'SSO connections',
      response: 'SsoConnectionPage',
      run: async (i) => (await areas.sso()).listConnections(i.ctx, i.scope, i.page),
    }),
    scopedRoute({
      method: 'PATCH',
      path: '/sso-connections/{connectionId}',
      operationId: 'update{Scope}SsoConnection',
      summary: 'Update an SSO connection',
      ownScopeOnly: 'SSO connections',
      request: 'UpdateSsoConnectionRequest',
      status: 200,
      response: 'SsoConnection',
      problems: [400, 404, 409],
      description:
        'Any of the create fields, e.g. {"jit": false} to disable JIT. Switching enforcement to on is 409 unless someone signed in through the connection in the last 30 days (SPEC §12): the 409 carries lastSsoSignInOn and peopleWithoutSso, and a successful switch answers them in enforcementCheck.',
      run: async (i) =>
        (await areas.sso()).updateConnection(i.ctx, i.scope, i.params.connectionId ?? '', i.body),
    }),
    scopedRoute({
      method: 'GET',
      path: '/sso-connections/{connectionId}/enforcement-check',
      operationId: 'check{Scope}SsoEnforcement',
      summary: 'What switching SSO enforcement on would find',
      ownScopeOnly: 'SSO connections',
      status: 200,
      response: 'EnforcementCheck',
      problems: [404, 409],
      description:
        'Changes nothing (SPEC §12 no lockout): the day someone last signed in through the connection, how many people signed in on its domains without SSO in the last 30 days, and canEnforce, whether switching enforcement to on would be accepted (someone signed in through the connection in the last 30 days).',
      run: async (i) =>
        (await areas.sso()).checkEnforcement(i.ctx, i.scope, i.params.connectionId ?? ''),
    }),
    scopedRoute({
      method: 'DELETE',
      path: '/sso-connections/{connectionId}',
      operationId: 'delete{Scope}SsoConnection',
      summary: 'Delete an SSO connection',
      ownScopeOnly: 'SSO connections',
      status: 204,
      problems: [404, 409],
      run: async (i) =>
        (await areas.sso()).deleteConnection(i.ctx, i.scope, i.params.connectionId ?? ''),
    }),
    scopedRoute({
      method: 'POST',
      path: '/sso-connections/{connectionId}/scim-token',
      operationId: 'create{Scope}ScimToken',
      summary: "Generate or rotate the connection's SCIM token",
      ownScopeOnly: 'SSO connections',
      status: 201,
      response: 'ScimToken',
      problems: [404, 409],
      description:
        'Returns the token once, with the SCIM base URL to give the IdP (SPEC §10); a previous token stops working. 409 while the connection has SCIM off.',
      run: async (i) =>
        (await areas.sso()).createScimToken(i.ctx, i.scope, i.params.connectionId ?? '', i.origin),
    }),
    scopedRoute({
      method: 'DELETE',
      path: '/sso-connections/{connectionId}/scim-token',
      operationId: 'revoke{Scope}ScimToken',
      summary: "Revoke the connection's SCIM token",
      ownScopeOnly: 'SSO connections',
      status: 204,
      problems: [404, 409],
      run: async (i) =>
        (await areas.sso()).revokeScimToken(i.ctx, i.scope, i.params.connectionId ?? ''),
    }),
    listRoute({
      path: '/domain-audit',
      operationId: 'get{Scope}DomainAudit',
      summary: 'Accounts on the verified domains that are not members (SPEC §13)',
      ownScopeOnly: 'domain audit',
      response: 'DomainAuditPage',
      csv: true,
      description: {
        orgId:
          "Accounts whose email is on a domain the org has verified and who are not members of the org, in domain then email order, from an index by email domain. status is invited when the account has a pending invitation to the org. An org in a company is 409: use the company's audit. ?format=csv answers every row (at most 10,000; Provisio-Next-Cursor then says where to go on) as text/csv, formula-like cells neutralised.",
        companyId:
          'Accounts whose email is on a domain the company has verified and who are members of none of its orgs, in domain then email order, from an index by email domain. status is invited when the account has a pending invitation to an org of the company. ?format=csv answers every row (at most 10,000; Provisio-Next-Cursor then says where to go on) as text/csv, formula-like cells neutralised.',
      },
      run: (i) => runDomainAudit(i),
    }),
    listRoute({
      path: '/events',
      operationId: 'list{Scope}Events',
      summary: 'Audit events, newest first (or oldest first, from a number on)',
      response: 'EventPage',
      query: EVENT_QUERY,
      description: {
        orgId:
          "The org's events, by number (`seq`): newest first, or with `order=asc` oldest first; `after` reads forward from a number (SPEC §11). Events recorded before events were numbered have `seq` null and come before the numbered ones, by time; `after` skips them.",
        companyId:
          "The company's own events (domain, connection and auto-provisioning changes made at company level) and its orgs' events, by time: newest first, or with `order=asc` oldest first. With `after`, the company's own events numbered after it, by number (its orgs' events number in each org: read them at the org's scope).",
      },
      run: async (i) => {
        const events = await areas.events();
        return events.listEvents(i.ctx, i.scope, i.page, events.parseEventQuery(i.query));
      },
    }),
  ]),
  ...atEveryScope([
    scopedRoute({
      method: 'POST',
      path: '/webhooks',
      operationId: 'create{Scope}Webhook',
      summary: 'Add a webhook endpoint (answers its signing secret once)',
      request: 'CreateWebhookRequest',
      status: 201,
      response: 'CreatedWebhook',
      problems: [400, 404],
      description: {
        orgId:
          "SPEC §11: receives the org's events (Standard Webhooks). The URL must be https and its host resolve only to public addresses (400 otherwise, naming url); the secret is shown once.",
        companyId:
          "SPEC §11: receives the company's own events and those of every org in it (Standard Webhooks). The URL must be https and its host resolve only to public addresses (400 otherwise, naming url); the secret is shown once.",
      },
      run: async (i) => (await areas.webhooks()).createWebhook(i.ctx, i.scope, i.body),
    }),
    listRoute({
      path: '/webhooks',
      operationId: 'list{Scope}Webhooks',
      summary: 'List webhook endpoints',
      response: 'WebhookPage',
      run: async (i) => (await areas.webhooks()).listWebhooks(i.ctx, i.scope, i.page),
    }),
    scopedRoute({
      method: 'GET',
      path: '/webhooks/{webhookId}',
      operationId: 'get{Scope}Webhook',
      summary: 'Get a webhook endpoint',
      status: 200,
      response: 'Webhook',
      problems: [404],
      run: async (i) =>
        (await areas.webhooks()).getWebhook(i.ctx, i.scope, i.params.webhookId ?? ''),
    }),
    scopedRoute({
      method: 'PATCH',
      path: '/webhooks/{webhookId}',
      operationId: 'update{Scope}Webhook',
      summary: 'Change, pause or resume a webhook endpoint',
      request: 'UpdateWebhookRequest',
      status: 200,
      response: 'Webhook',
      problems: [400, 404, 409],
      description:
        '{"enabled": true} resumes an endpoint Provisio disabled (a 410, or 5 days of failures); what it missed can be replayed.',
      run: async (i) =>
        (await areas.webhooks()).updateWebhook(i.ctx, i.scope, i.params.webhookId ?? '', i.body),
    }),
    scopedRoute({
      method: 'DELETE',
      path: '/webhooks/{webhookId}',
      operationId: 'delete{Scope}Webhook',
      summary: 'Delete a webhook endpoint',
      status: 204,
      problems: [404, 409],
      run: async (i) =>
        (await areas.webhooks()).deleteWebhook(i.ctx, i.scope, i.params.webhookId ?? ''),
    }),
    scopedRoute({
      method: 'POST',
      path: '/webhooks/{webhookId}/rotate-secret',
      operationId: 'rotate{Scope}WebhookSecret',
      summary: "Rotate the endpoint's signing secret",
      status: 200,
      response: 'WebhookSecret',
      problems: [404, 409],
      description:
        'Answers the new secret once; for 24 h every delivery is signed with both the new and the previous secret (two space-separated signatures).',
      run: async (i) =>
        (await areas.webhooks()).rotateSecret(i.ctx, i.scope, i.params.webhookId ?? ''),
    }),
    listRoute({
      path: '/webhooks/{webhookId}/deliveries',
      operationId: 'list{Scope}WebhookDeliveries',
      summary: 'Delivery attempts, newest first',
      response: 'WebhookDeliveryPage',
      description:
        'Every attempt: event id (the webhook-id), seq, time, status code or error, duration, and what followed. Kept 30 days.',
      run: async (i) =>
        (await areas.webhooks()).listDeliveries(i.ctx, i.scope, i.params.webhookId ?? '', i.page),
    }),
    scopedRoute({
      method: 'POST',
      path: '/webhooks/{webhookId}/replay',
      operationId: 'replay{Scope}Webhook',
      summary: 'Send events again from a seq on, with their original ids',
      request: 'ReplayWebhookRequest',
      status: 202,
      response: 'WebhookReplay',
      problems: [400, 404, 409],
      description:
        "Queues the scope's events with seq ≥ fromSeq (of the types the endpoint receives) for this endpoint, in seq order, with their original webhook-id. A disabled endpoint is 409: enable it first.",
      run: async (i) =>
        (await areas.webhooks()).replay(i.ctx, i.scope, i.params.webhookId ?? '', i.body),
    }),
  ]),
  defineRoute({
    method: 'POST',
    path: '/v1/hooks/sign-in',
    operationId: 'signInHook',
    summary: 'The HTTP sign-in hook (HMAC-signed)',
    tag: 'sign-in',
    auth: false,
    request: 'SignInHookRequest',
    status: 200,
    response: 'SignInHookResponse',
    problems: [400, 401, 403],
    description:
      'Authenticated by the header Provisio-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the hook secret>. A timestamp more than 5 minutes off, or a wrong signature, is 401. A denial is 403 with title "Access denied" or "No seats available".',
    external: true,
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI document',
    tag: 'meta',
    auth: false,
    status: 200,
    problems: [],
  }),
];

/** The CSV writer, loaded by the first CSV export rather than with the handler. */
const loadCsv = () => import('../../http/csv.ts');

/** SPEC §13: a page of the domain audit, or (`?format=csv`) all of it as a CSV download. */
async function runDomainAudit(i: RouteInput): Promise<unknown> {
  const domainAudit = await areas.domainAudit();
  const format = i.request.query.format ?? 'json';
  if (format === 'json') return domainAudit.domainAudit(i.ctx, i.scope, i.page);
  if (format !== 'csv') throw new ValidationError('format', 'must be json or csv');
  const [{ csvResponse, toCsv }, all] = await Promise.all([
    loadCsv(),
    domainAudit.domainAuditAll(i.ctx, i.scope, i.page.cursor),
  ]);
  const id = i.scope.type === 'org' ? i.scope.org.name : i.scope.company.id;
  return new RawAnswer(
    csvResponse(
      `domain-audit-${id}-${i.ctx.at.slice(0, 10)}.csv`,
      toCsv(domainAudit.DOMAIN_AUDIT_COLUMNS, all.rows),
      all.nextCursor ? { 'provisio-next-cursor': all.nextCursor } : {},
    ),
  );
}

/**
 * The zod schemas (`schemas.ts`, and zod with them), loaded by the first request with a body
 * rather than when the handler starts: no other request needs them, and most admin requests
 * are reads. Bundled, they are a chunk of their own (as are the areas above); later requests
 * get the same module at once.
 */
const loadSchemas = () => import('../schemas.ts');

/**
 * Bulk invitations (and csv-parse with them), loaded by the first bulk request: the same
 * reasoning as `loadSchemas`.
 */
const loadBulk = () => import('../bulk-invitations.ts');

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{')) {
      if (!p[i]) return undefined;
      let value = p[i]!;
      try {
        value = decodeURIComponent(value);
      } catch {
        // Left as sent: a malformed escape fails the parameter's own validation.
      }
      params[seg.slice(1, -1)] = value;
    } else if (seg !== p[i]) return undefined;
  }
  return params;
}

/**
 * The caller (SPEC §8): the token's email, when the token's provider may speak for it
 * (`caller.ts`); 401 saying why otherwise.
 */
export function callerFrom(
  event: APIGatewayProxyEventV2,
  deps: AdminDeps,
  claims: CallerClaims = callerClaims(event),
): Promise<Caller> {
  return trustedCaller(claims, (domain, provider) => deps.store.callerLookup(domain, provider));
}

/** Headers by lower-case name (API Gateway's payload 2.0 already sends them so; a test may not). */
const lowerCaseHeaders = (headers: APIGatewayProxyEventV2['headers'] | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

function readJson(event: APIGatewayProxyEventV2): unknown {
  const raw = bodyText(event);
  if (!raw.trim()) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('body', 'must be valid JSON');
  }
}

/** Finds the route of a request: 404 for an unknown path, 405 for a known path with another method. */
export function findRoute(
  method: string,
  rawPath: string,
): { route: RouteSpec; params: Record<string, string> } {
  const path = rawPath.replace(/\/+$/, '') || '/';
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path, path) }))
    .filter((c): c is { route: RouteSpec; params: Record<string, string> } => !!c.params);
  if (candidates.length === 0) throw new NotFoundError(`No route for ${path}`);
  const found = candidates.find((c) => c.route.method === method.toUpperCase());
  if (!found) {
    throw new AppError(
      'method-not-allowed',
      405,
      `${method.toUpperCase()} is not allowed on ${path}`,
      {
        extra: { allow: candidates.map((c) => c.route.method) },
      },
    );
  }
  return found;
}

/** The scope a route acts on, when the caller administers it; 404 otherwise. */
async function scopeOf(
  route: RouteSpec,
  params: Record<string, string>,
  ctx: Pick<Ctx, 'deps' | 'caller'>,
): Promise<ScopeContext | undefined> {
  if (route.scope === 'orgId') return orgScope(await resolveOrg(ctx, params.orgId ?? ''));
  if (route.scope === 'companyId') {
    return companyScope(await resolveCompany(ctx, params.companyId ?? ''));
  }
  return undefined;
}

/** Routes one API Gateway (payload 2.0) request through the checks to its operation. */
export async function routeRequest(
  event: APIGatewayProxyEventV2,
  deps: AdminDeps,
  openApi: () => unknown,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { route, params } = findRoute(event.requestContext.http.method, event.rawPath);
  if (route.operationId === 'getOpenApi') return json(200, await openApi());
  if (route.external || !route.run) throw new NotFoundError(`${route.path} is not served here`);

  // 401, then 404. The scope's access read goes out beside the caller's lookup, for the address
  // the token claims; its answer is looked at only once the caller is trusted (401 before 404),
  // and only if the trusted address is the one it was read for.
  const claims = callerClaims(event);
  const claimed = normaliseEmail(cognitoIdentity(claims).email)?.email;
  const readScope = (email: string) => scopeOf(route, params, { deps, caller: { email } });
  const early = claimed === undefined ? undefined : readScope(claimed);
  early?.catch(() => {});
  const caller = await callerFrom(event, deps, claims);
  const ctx: Ctx = { deps, caller, at: deps.now().toISOString() };
  const scope = await (early && caller.email === claimed ? early : readScope(caller.email));

  // 409: scope rules
  if (scope && route.ownScopeOnly) requireOwnDomainsAndSso(scope, route.ownScopeOnly);

  // 400: query and body
  const page = route.list
    ? parsePageRequest(event.queryStringParameters)
    : { limit: 0, cursor: undefined };
  const rawBody = route.raw ? bodyText(event, { maxBytes: route.raw.maxBytes }) : '';
  const body =
    route.request && !route.raw
      ? parseBody((await loadSchemas()).requestSchemas[route.request], readJson(event))
      : undefined;

  const result = await route.run({
    ctx,
    params,
    scope: scope as ScopeContext,
    page,
    query: event.queryStringParameters ?? {},
    body,
    origin: requestOrigin(event),
    request: {
      headers: lowerCaseHeaders(event.headers),
      query: event.queryStringParameters ?? {},
      body: rawBody,
    },
  });
  if (result instanceof RawAnswer) return result.response;
  if (route.status === 204) return { statusCode: 204 };
  return json(route.status, result);
}
