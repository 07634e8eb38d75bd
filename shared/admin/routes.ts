/**
 * The admin API's route table: one entry per route of SPEC §5. The OpenAPI document is
 * generated from this table, so the two cannot drift.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, NotFoundError } from '../errors.ts';
import { json } from '../http/problem.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: Method;
  /** Path template with `{param}` segments, as in the OpenAPI document. */
  path: string;
  operationId: string;
  summary: string;
  /** Whether the route needs a bearer token. */
  auth: boolean;
}

const scopes = [
  ['orgs/{orgId}', 'Org'],
  ['companies/{companyId}', 'Company'],
] as const;

export const routes: readonly RouteSpec[] = [
  {
    method: 'POST',
    path: '/v1/orgs',
    operationId: 'createOrg',
    summary: 'Create an org; the caller becomes its owner',
    auth: true,
  },
  {
    method: 'GET',
    path: '/v1/orgs/{orgId}',
    operationId: 'getOrg',
    summary: 'Get an org with its seats',
    auth: true,
  },
  {
    method: 'PATCH',
    path: '/v1/orgs/{orgId}',
    operationId: 'updateOrg',
    summary: 'Change the seat limit',
    auth: true,
  },
  {
    method: 'GET',
    path: '/v1/orgs/{orgId}/members',
    operationId: 'listMembers',
    summary: 'List members',
    auth: true,
  },
  {
    method: 'PUT',
    path: '/v1/orgs/{orgId}/members/{email}',
    operationId: 'setMemberRole',
    summary: "Change a member's role",
    auth: true,
  },
  {
    method: 'DELETE',
    path: '/v1/orgs/{orgId}/members/{email}',
    operationId: 'removeMember',
    summary: 'Remove a member, freeing a seat',
    auth: true,
  },
  {
    method: 'POST',
    path: '/v1/orgs/{orgId}/invitations',
    operationId: 'createInvitation',
    summary: 'Invite an email (holds a seat)',
    auth: true,
  },
  {
    method: 'GET',
    path: '/v1/orgs/{orgId}/invitations',
    operationId: 'listInvitations',
    summary: 'List pending invitations',
    auth: true,
  },
  {
    method: 'DELETE',
    path: '/v1/orgs/{orgId}/invitations/{email}',
    operationId: 'revokeInvitation',
    summary: 'Revoke an invitation, freeing its seat',
    auth: true,
  },
  {
    method: 'GET',
    path: '/v1/orgs/{orgId}/teams',
    operationId: 'listTeams',
    summary: 'List teams with member counts',
    auth: true,
  },
  {
    method: 'POST',
    path: '/v1/companies',
    operationId: 'createCompany',
    summary: 'Create a company; the caller becomes its owner',
    auth: true,
  },
  {
    method: 'GET',
    path: '/v1/companies/{companyId}',
    operationId: 'getCompany',
    summary: 'Get a company with its orgs',
    auth: true,
  },
  {
    method: 'POST',
    path: '/v1/companies/{companyId}/orgs',
    operationId: 'addCompanyOrg',
    summary: 'Move an org the caller owns into the company',
    auth: true,
  },
  ...scopes.flatMap(([scope, name]): RouteSpec[] => [
    {
      method: 'POST',
      path: `/v1/${scope}/domains`,
      operationId: `add${name}Domain`,
      summary: 'Add a domain (pending until verified)',
      auth: true,
    },
    {
      method: 'GET',
      path: `/v1/${scope}/domains`,
      operationId: `list${name}Domains`,
      summary: 'List domains',
      auth: true,
    },
    {
      method: 'POST',
      path: `/v1/${scope}/domains/{domain}/verify`,
      operationId: `verify${name}Domain`,
      summary: 'Look the TXT record up now',
      auth: true,
    },
    {
      method: 'PUT',
      path: `/v1/${scope}/domains/{domain}/auto-provisioning`,
      operationId: `set${name}AutoProvisioning`,
      summary: 'Enable or disable auto-provisioning',
      auth: true,
    },
    {
      method: 'DELETE',
      path: `/v1/${scope}/domains/{domain}`,
      operationId: `remove${name}Domain`,
      summary: 'Remove a domain',
      auth: true,
    },
    {
      method: 'POST',
      path: `/v1/${scope}/sso-connections`,
      operationId: `create${name}SsoConnection`,
      summary: 'Create an SSO connection',
      auth: true,
    },
    {
      method: 'GET',
      path: `/v1/${scope}/sso-connections`,
      operationId: `list${name}SsoConnections`,
      summary: 'List SSO connections',
      auth: true,
    },
    {
      method: 'PATCH',
      path: `/v1/${scope}/sso-connections/{connectionId}`,
      operationId: `update${name}SsoConnection`,
      summary: 'Update an SSO connection',
      auth: true,
    },
    {
      method: 'DELETE',
      path: `/v1/${scope}/sso-connections/{connectionId}`,
      operationId: `delete${name}SsoConnection`,
      summary: 'Delete an SSO connection',
      auth: true,
    },
    {
      method: 'GET',
      path: `/v1/${scope}/events`,
      operationId: `list${name}Events`,
      summary: 'Audit events, newest first',
      auth: true,
    },
  ]),
  {
    method: 'POST',
    path: '/v1/hooks/sign-in',
    operationId: 'signInHook',
    summary: 'The HTTP sign-in hook (HMAC-signed)',
    auth: false,
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI document',
    auth: false,
  },
];

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(route.auth ? {} : { security: [] }),
      responses: { default: { description: 'A result, or an RFC 9457 problem document' } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Provisio admin API', version: '1.0.0' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{')) params[seg.slice(1, -1)] = decodeURIComponent(p[i]!);
    else if (seg !== p[i]) return undefined;
  }
  return params;
}

/** Routes one API Gateway (payload 2.0) request. */
export async function routeRequest(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.replace(/\/+$/, '') || '/';
  const candidates = routes.filter((r) => matchPath(r.path, path));
  if (candidates.length === 0) throw new NotFoundError(`No route for ${path}`);
  const route = candidates.find((r) => r.method === method);
  if (!route) throw new AppError('method-not-allowed', 405, `${method} is not allowed on ${path}`);
  if (route.operationId === 'getOpenApi') return json(200, openApiDocument());
  throw new AppError('not-implemented', 501, `${route.operationId} is not implemented yet`);
}
