import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerFrom, findRoute, routeRequest } from '../../../shared/admin/http/routes.ts';
import {
  CreateInvitationRequest,
  CreateOrgRequest,
  CreateSsoConnectionRequest,
} from '../../../shared/admin/schemas.ts';
import type { AppError, ValidationError } from '../../../shared/errors.ts';
import { toProblem } from '../../../shared/http/problem.ts';
import type { AdminDeps, AdminStore, OrgAccess, OrgRecord } from '../../../shared/model/writes.ts';
import { parseBody } from '../../../shared/validation.ts';
import { unitDeps } from '../../support/core-deps.ts';

const org = (over: Partial<OrgRecord> = {}): OrgRecord => ({
  id: 'o1',
  name: 'acme',
  companyId: null,
  seatLimit: null,
  seatsUsed: 1,
  ownerCount: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

/** A store that knows who administers what; any write or list is a test failure. */
function fakeStore(
  access: Record<string, OrgAccess>,
  companies: Record<string, string[]> = {},
): AdminStore {
  const unexpected = () => {
    throw new Error('the checks should have stopped the request before the store');
  };
  return new Proxy({} as AdminStore, {
    get: (_, name) => {
      // The caller's door (SPEC §8, §12): no connection, no enforcement.
      if (name === 'callerLookup') return async () => ({});
      if (name === 'orgAccess')
        return async (orgId: string, email: string) =>
          access[`${orgId}/${email}`] ??
          (access[orgId] ? { ...access[orgId]!, role: null, companyOwner: false } : undefined);
      if (name === 'ownedCompany')
        return async (id: string, email: string) =>
          companies[id]?.includes(email) ? { id, name: id, createdAt: '' } : undefined;
      return unexpected;
    },
  });
}

const deps = (store: AdminStore): AdminDeps => ({
  ...unitDeps({ store }),
  newId: () => 'id',
  newToken: () => 'token',
});

function event(
  method: string,
  path: string,
  options: { email?: string; body?: unknown; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  return {
    rawPath: path,
    requestContext: {
      http: { method },
      // A password user's ID token: its email verified by the pool (SPEC §8).
      ...(options.email
        ? { authorizer: { jwt: { claims: { email: options.email, email_verified: 'true' } } } }
        : {}),
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.body !== undefined
      ? { body: JSON.stringify(options.body), isBase64Encoded: false }
      : {}),
  } as unknown as APIGatewayProxyEventV2;
}

async function status(
  store: AdminStore,
  e: APIGatewayProxyEventV2,
): Promise<{ status: number; field?: unknown; detail?: string }> {
  try {
    const out = await routeRequest(e, deps(store), () => ({}));
    return { status: out.statusCode ?? 0 };
  } catch (error) {
    const problem = toProblem(error);
    return { status: problem.status, field: problem.field, detail: problem.detail };
  }
}

describe('the order of checks (SPEC §5): token, scope, scope rule, validation', () => {
  const store = fakeStore(
    {
      'o1/ada@acme.com': { org: org(), role: 'owner', companyOwner: false },
      'o2/ada@acme.com': {
        org: org({ id: 'o2', companyId: 'c1' }),
        role: 'owner',
        companyOwner: false,
      },
      o3: { org: org({ id: 'o3' }), role: null, companyOwner: false },
    },
    { c1: ['ada@acme.com'] },
  );
  const bad = { domain: 42 };

  it('401 before anything else', async () => {
    expect(
      (await status(store, event('POST', '/v1/orgs/unknown/domains', { body: bad }))).status,
    ).toBe(401);
  });

  it('404 for a scope the caller does not administer, before validation', async () => {
    expect(
      (
        await status(
          store,
          event('POST', '/v1/orgs/o3/domains', { email: 'ada@acme.com', body: bad }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await status(
          store,
          event('POST', '/v1/orgs/nope/domains', { email: 'ada@acme.com', body: bad }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await status(
          store,
          event('GET', '/v1/companies/c2/events', { email: 'ada@acme.com', query: { limit: '0' } }),
        )
      ).status,
    ).toBe(404);
  });

  it('409 "use the company" for org-level domain and SSO routes of a company org, before validation', async () => {
    const res = await status(
      store,
      event('POST', '/v1/orgs/o2/domains', { email: 'ada@acme.com', body: bad }),
    );
    expect(res.status).toBe(409);
    expect(res.detail).toContain('/v1/companies/c1/domains');
    const sso = await status(
      store,
      event('POST', '/v1/orgs/o2/sso-connections', { email: 'ada@acme.com', body: {} }),
    );
    expect(sso.status).toBe(409);
    expect(sso.detail).toContain('/v1/companies/c1/sso-connections');
  });

  it('400 naming the field once the scope is settled', async () => {
    expect(
      await status(
        store,
        event('POST', '/v1/orgs/o1/domains', { email: 'ada@acme.com', body: bad }),
      ),
    ).toMatchObject({ status: 400, field: 'domain' });
    expect(
      await status(
        store,
        event('GET', '/v1/orgs/o1/teams', { email: 'ada@acme.com', query: { limit: '101' } }),
      ),
    ).toMatchObject({ status: 400, field: 'limit' });
  });

  it('accepts the caller under any spelling of their email', async () => {
    expect(
      await status(
        store,
        event('POST', '/v1/orgs/o3/domains', { email: ' ADA@Acme.COM ', body: bad }),
      ),
    ).toMatchObject({ status: 404 });
    expect(
      await status(
        store,
        event('POST', '/v1/orgs/o1/domains', { email: ' ADA@Acme.COM ', body: bad }),
      ),
    ).toMatchObject({ status: 400 });
  });

  it('serves the OpenAPI document without a token', async () => {
    const out = await routeRequest(event('GET', '/v1/openapi.json'), deps(store), () => ({
      openapi: '3.1.0',
    }));
    expect(out.statusCode).toBe(200);
    expect(JSON.parse(String(out.body))).toEqual({ openapi: '3.1.0' });
  });
});

describe("the scope's read beside the caller's lookup", () => {
  /** A store whose caller lookup answers only when told, noting what was asked meanwhile. */
  function gatedStore(lookup: Record<string, unknown>) {
    const asked: string[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((r) => {
      answer = r;
    });
    const store = new Proxy({} as AdminStore, {
      get: (_, name) => {
        if (name === 'callerLookup')
          return async () => {
            asked.push('callerLookup');
            await answered;
            return lookup;
          };
        if (name === 'orgAccess')
          return async (orgId: string, email: string) => {
            asked.push(`orgAccess ${orgId} ${email}`);
            return orgId === 'o1' ? { org: org(), role: 'owner', companyOwner: false } : undefined;
          };
        return () => {
          throw new Error(`unexpected ${String(name)}`);
        };
      },
    });
    return { store, asked, answer };
  }

  it('reads the scope while the caller is looked up, in one round trip of time', async () => {
    const { store, asked, answer } = gatedStore({});
    const pending = status(store, event('GET', '/v1/orgs/o1', { email: 'Ada@Acme.com' }));
    await new Promise((r) => setTimeout(r, 10));
    // Both reads are out before the caller's lookup has answered.
    expect(asked.sort()).toEqual(['callerLookup', 'orgAccess o1 ada@acme.com']);
    answer();
    expect(await pending).toEqual({ status: 200 });
  });

  it('still answers 401 before 404: a refused caller learns nothing of the scope', async () => {
    const enforced = {
      enforcement: {
        connectionId: 'c1',
        connectionName: 'Acme SSO',
        providerName: 'provisio-acme',
        mode: 'on',
        breakGlass: [],
        defaultOrg: { id: 'o1', name: 'acme' },
        companyId: null,
      },
    };
    for (const orgId of ['o1', 'nowhere']) {
      const { store, answer } = gatedStore(enforced);
      const pending = status(store, event('GET', `/v1/orgs/${orgId}`, { email: 'ada@acme.com' }));
      answer();
      expect(await pending).toMatchObject({
        status: 401,
        detail: expect.stringMatching(/^SSO required/),
      });
    }
  });
});

describe('finding the route', () => {
  it('matches path templates, decoding parameters', () => {
    const found = findRoute('PUT', '/v1/orgs/o1/members/ada%40acme.com');
    expect(found.route.operationId).toBe('setMemberRole');
    expect(found.params).toEqual({ orgId: 'o1', email: 'ada@acme.com' });
    expect(findRoute('post', '/v1/companies/c1/domains/b%C3%BCcher.de/verify/').params.domain).toBe(
      'bücher.de',
    );
  });

  it('answers 404 for an unknown path and 405 for a known path with another method', () => {
    expect(() => findRoute('GET', '/v1/nope')).toThrow(
      expect.objectContaining({ statusCode: 404 }),
    );
    expect(() => findRoute('GET', '/v1/orgs')).toThrow(
      expect.objectContaining({ statusCode: 405 }),
    );
    try {
      findRoute('DELETE', '/v1/orgs/o1');
    } catch (error) {
      expect((error as AppError).extra).toEqual({ allow: ['GET', 'PATCH'] });
    }
  });
});

describe('the caller', () => {
  const claims = (c: Record<string, unknown> | undefined) =>
    ({
      requestContext: {
        http: { method: 'GET' },
        ...(c ? { authorizer: { jwt: { claims: c } } } : {}),
      },
    }) as unknown as APIGatewayProxyEventV2;

  const noProviders = deps({ callerLookup: async () => ({}) } as unknown as AdminStore);

  it('is the normalised email claim', async () => {
    await expect(
      callerFrom(claims({ email: ' Ada@Bücher.DE ', email_verified: 'true' }), noProviders),
    ).resolves.toEqual({
      email: 'ada@xn--bcher-kva.de',
    });
  });

  it.each([
    ['no authorizer', undefined],
    ['no email claim (an access token)', { sub: 'x', client_id: 'y' }],
    ['a malformed email', { email: 'not-an-email' }],
    ['an unverified email', { email: 'ada@acme.com', email_verified: 'false' }],
  ])('is refused with 401 for %s', async (_, c) => {
    await expect(callerFrom(claims(c), noProviders)).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe('body validation names the field', () => {
  const fieldOf = (schema: Parameters<typeof parseBody>[0], body: unknown) => {
    try {
      parseBody(schema, body);
    } catch (error) {
      return {
        field: (error as ValidationError).field,
        message: (error as ValidationError).message,
      };
    }
    return undefined;
  };

  it.each([
    ['createOrg', CreateOrgRequest, {}, 'name', 'is required'],
    ['createOrg', CreateOrgRequest, undefined, 'body', 'is required'],
    ['createOrg', CreateOrgRequest, 'acme', 'body', 'must be a JSON object'],
    ['createOrg', CreateOrgRequest, { name: 'acme', extra: 1 }, 'extra', 'is not a known field'],
    ['createOrg', CreateOrgRequest, { name: 'x' }, 'name', 'slug'],
    ['createOrg', CreateOrgRequest, { name: 'acme', seatLimit: '5' }, 'seatLimit', 'integer'],
    ['createInvitation', CreateInvitationRequest, { email: 'nope' }, 'email', 'email address'],
    [
      'createSsoConnection',
      CreateSsoConnectionRequest,
      { name: 'a', providerName: 'P', domains: ['a.com', 7] },
      'domains[1]',
      '',
    ],
  ] as const)('%s %j → 400 naming %s', (_, schema, body, field, words) => {
    const out = fieldOf(schema, body);
    expect(out?.field).toBe(field);
    expect(out?.message).toContain(words);
  });

  it('normalises emails while validating', () => {
    expect(parseBody(CreateInvitationRequest, { email: ' Bob@Example.COM ' })).toEqual({
      email: 'bob@example.com',
    });
  });
});
