/**
 * The HTTP sign-in hook (SPEC §5) through its real handler against DynamoDB Local.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSignInFixture,
  hookRequest,
  lambdaContext,
  type SignInFixture,
} from '../../local/sign-in-fixtures.ts';
import { ENV } from '../../shared/config.ts';
import { signHookBody } from '../../shared/sign-in/hook-signature.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

const SECRET = 'hook-secret-for-tests';
type Handler = (
  event: APIGatewayProxyEventV2,
  context: unknown,
) => Promise<APIGatewayProxyStructuredResultV2>;

let fx: SignInFixture;
let handler: Handler;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  process.env[ENV.tableName] = fx.tableName;
  process.env[ENV.dynamodbEndpoint] = dynamodbEndpoint();
  process.env[ENV.hookSecret] = SECRET;
  handler = (await import('../../functions/sign-in-hook/handler.ts')).handler as unknown as Handler;
});

afterAll(async () => {
  await fx?.drop();
});

const now = () => Math.floor(Date.now() / 1000);
const call = (payload: unknown, at = now()) => {
  const body = JSON.stringify(payload);
  return handler(
    hookRequest(body, signHookBody(SECRET, body, at)),
    lambdaContext('provisio-sign-in-hook'),
  );
};
const problem = (r: APIGatewayProxyStructuredResultV2) => {
  expect(r.headers?.['content-type']).toBe('application/problem+json');
  return JSON.parse(String(r.body));
};

describe('POST /v1/hooks/sign-in', () => {
  it('allows and answers the memberships', async () => {
    const org = await fx.org('hook-org-one', { seatLimit: 5 });
    await fx.verifiedDomain(
      'hook-one.example',
      { type: 'org', id: org.id },
      { autoProvisioning: org },
    );
    const r = await call({
      email: 'Ada@Hook-One.example',
      emailVerified: true,
      givenName: 'Ada',
      familyName: 'L',
    });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(String(r.body))).toEqual({
      decision: 'allow',
      memberships: [{ orgId: org.id, orgName: 'hook-org-one', role: 'member', teams: [] }],
    });
  });

  it('a connection no SSO connection names proves nothing (SPEC §2, §8): no auto-provisioning, no invitation', async () => {
    const org = await fx.org('hook-org-unbound', { seatLimit: 5 });
    await fx.verifiedDomain(
      'hook-unbound.example',
      { type: 'org', id: org.id },
      { autoProvisioning: org },
    );
    const invitedTo = await fx.org('hook-org-unbound-inv');
    await fx.invitation('eve@hook-unbound.example', invitedTo);
    const r = await call({
      email: 'eve@hook-unbound.example',
      emailVerified: true,
      connection: 'SomeoneElsesIdp',
    });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(String(r.body))).toEqual({ decision: 'allow', memberships: [] });
    expect((await fx.person('eve@hook-unbound.example')).invitations).toHaveLength(1);
    expect(
      (await fx.events(org.id)).map((e) => [e.type, (e.details as { reason: string }).reason]),
    ).toEqual([['auto_provisioning_skipped', 'unverified_provider']]);
  });

  it('answers 403 Access denied for an uninvited user when JIT is off', async () => {
    const org = await fx.org('hook-org-two');
    const conn = await fx.connection({
      providerName: 'HookIdp',
      scope: { type: 'org', id: org.id },
      domains: ['hook-two.example'],
      defaultOrg: org,
      jit: false,
    });
    await fx.verifiedDomain(
      'hook-two.example',
      { type: 'org', id: org.id },
      { ssoConnectionIds: [conn.id] },
    );
    const r = await call({
      email: 'x@hook-two.example',
      emailVerified: true,
      connection: 'HookIdp',
    });
    expect(r.statusCode).toBe(403);
    expect(problem(r)).toMatchObject({ title: 'Access denied', status: 403 });
  });

  it('answers 403 No seats available when the default org is full', async () => {
    const org = await fx.org('hook-org-three', { seatLimit: 0 });
    await fx.connection({
      providerName: 'HookFull',
      scope: { type: 'org', id: org.id },
      domains: ['hook-three.example'],
      defaultOrg: org,
    });
    const r = await call({
      email: 'x@hook-three.example',
      emailVerified: true,
      connection: 'HookFull',
    });
    expect(r.statusCode).toBe(403);
    expect(problem(r)).toMatchObject({
      title: 'No seats available',
      detail: 'No seats available in hook-org-three',
    });
  });

  it('answers 401 to a wrong signature, a stale or future timestamp, or none', async () => {
    const body = JSON.stringify({ email: 'a@b.example' });
    const ctx = lambdaContext('provisio-sign-in-hook');
    expect(
      (await handler(hookRequest(body, signHookBody('wrong', body, now())), ctx)).statusCode,
    ).toBe(401);
    expect(
      (await handler(hookRequest(body, signHookBody(SECRET, body, now() - 301)), ctx)).statusCode,
    ).toBe(401);
    expect(
      (await handler(hookRequest(body, signHookBody(SECRET, body, now() + 301)), ctx)).statusCode,
    ).toBe(401);
    const r = await handler(hookRequest(body), ctx);
    expect(r.statusCode).toBe(401);
    expect(problem(r).status).toBe(401);
  });

  it('answers 400 naming the field, and writes nothing', async () => {
    const bad = await call({ email: 'not-an-email', emailVerified: true });
    expect(bad.statusCode).toBe(400);
    expect(problem(bad)).toMatchObject({ status: 400, field: 'email' });
    const wrongType = await call({ email: 'ok@fine.example', emailVerified: 'yes' });
    expect(problem(wrongType)).toMatchObject({ status: 400, field: 'emailVerified' });
    expect((await fx.person('ok@fine.example')).account).toBeUndefined();
    const body = '{not json';
    const r = await handler(hookRequest(body, signHookBody(SECRET, body, now())), lambdaContext());
    expect(problem(r)).toMatchObject({ status: 400, field: 'body' });
  });
});
