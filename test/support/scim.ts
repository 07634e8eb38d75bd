/**
 * SCIM test setup (SPEC §10): an org (or a company with orgs) with a verified domain and an SSO
 * connection with SCIM on and JIT off, its token generated through the stack's admin API, and a
 * client that talks to the stack's `/scim/v2/{connectionId}` over HTTP as an IdP would.
 */
import { expect } from 'vitest';
import type { AdminSuite, Created } from './admin-suite.ts';
import { hookSignIn, localStack } from './local-stack.ts';

export const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: SCIM documents are checked field by field.
  body: any;
  headers: Headers;
}

export interface ScimClient {
  baseUrl: string;
  token: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<ScimResponse>;
}

export interface ScimSetup extends ScimClient {
  connectionId: string;
  providerName: string;
  /** The connection's verified domain. */
  domain: string;
  /** The default org. */
  org: Created;
  /** The scope path (`orgs/<id>` or `companies/<id>`). */
  scope: string;
}

export function scimClient(baseUrl: string, token: string): ScimClient {
  return {
    baseUrl,
    token,
    async call(method, path, body, asToken = token) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${asToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: kept as text, which the test will notice.
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

/** A connection with SCIM on, its token and a client; `company` puts it at company scope. */
export async function scimSetup(
  suite: AdminSuite,
  options: { seatLimit?: number | null; company?: boolean; jit?: boolean } = {},
): Promise<ScimSetup> {
  let scope: string;
  let org: Created;
  if (options.company) {
    const company = await suite.newCompanyWithOrg();
    scope = `companies/${company.id}`;
    org = company.org;
    if (options.seatLimit !== undefined) {
      const res = await suite.call('PATCH', `/v1/orgs/${org.id}`, {
        as: suite.owner,
        body: { seatLimit: options.seatLimit },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  } else {
    org = await suite.newOrg(
      options.seatLimit !== undefined ? { seatLimit: options.seatLimit } : {},
    );
    scope = `orgs/${org.id}`;
  }
  const domain = await suite.verifiedDomain(scope);
  const created = await suite.call('POST', `/v1/${scope}/sso-connections`, {
    as: suite.owner,
    body: {
      name: 'Okta',
      idp: { type: 'saml', metadataUrl: 'https://idp.example.test/app/metadata' },
      domains: [domain],
      defaultOrgId: org.id,
      jit: options.jit ?? false,
      scim: true,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const connectionId = created.body.id as string;
  const tokenRes = await suite.call(
    'POST',
    `/v1/${scope}/sso-connections/${connectionId}/scim-token`,
    { as: suite.owner },
  );
  expect(tokenRes.status, JSON.stringify(tokenRes.body)).toBe(201);
  const { token, baseUrl } = tokenRes.body as { token: string; baseUrl: string };
  expect(baseUrl).toBe(`${localStack().apiUrl}/scim/v2/${connectionId}`);
  return {
    ...scimClient(baseUrl, token),
    connectionId,
    providerName: created.body.providerName as string,
    domain,
    org,
    scope,
  };
}

/** A SCIM user body as Okta sends it on create. */
export function oktaUser(email: string, extra: Record<string, unknown> = {}) {
  const [given = 'Test', family = 'User'] = email.split('@')[0]!.split('.');
  return {
    schemas: [SCIM_USER],
    userName: email,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId: `00u${Math.random().toString(36).slice(2, 12)}`,
    groups: [],
    password: 'ignored-Pa55',
    active: true,
    ...extra,
  };
}

/** Signs in through the HTTP hook as the connection's IdP would (SPEC §5). */
export const ssoSignIn = (providerName: string, email: string) =>
  hookSignIn({ email, emailVerified: true, connection: providerName });
