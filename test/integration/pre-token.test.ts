/**
 * The Pre Token Generation trigger (SPEC §9), event version 2: its `orgs` claim equals what
 * `GET /v1/me` answers, for people of 0, 1 and 25 orgs, invoked through the local stack's
 * Lambda Invoke API; and with DynamoDB not answering, the tokens go without it, within budget.
 */

import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { localSignIn, preTokenEvent, tokenClaims } from '../../local/tokens.ts';
import { ENV } from '../../shared/config.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { lambdaClient, localStack, signedInUser } from '../support/local-stack.ts';

const require = createRequire(import.meta.url);
const lambdaSdk = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
const { env, call } = adminSuite();
const lambda = lambdaClient();
afterAll(() => lambda.destroy());

/** A V2 event as Cognito sends it on a password user's sign-in (a verified email). */
const event = (email: string, attributes: Record<string, string> = { email_verified: 'true' }) =>
  preTokenEvent({ email, ...attributes });

type Claims = { orgs: { id: string; name: string; role: string; teams: string[] }[] } & Record<
  string,
  unknown
>;

async function invokePreToken(input: ReturnType<typeof event>) {
  const out = await lambda.send(
    new lambdaSdk.InvokeCommand({
      FunctionName: functionSpecs.preToken.localName,
      Payload: Buffer.from(JSON.stringify(input)),
    }),
  );
  return out;
}

async function claimsOf(email: string) {
  const out = await invokePreToken(event(email));
  expect(out.FunctionError).toBeUndefined();
  const result = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
  const details = result.response.claimsAndScopeOverrideDetails;
  const id = details.idTokenGeneration.claimsToAddOrOverride as Claims;
  expect(details.accessTokenGeneration.claimsToAddOrOverride).toEqual(id);
  return id;
}

/** `GET /v1/me`'s memberships in the claim's shape. */
async function meAsClaim(as: string) {
  const res = await call('GET', '/v1/me', { as });
  return (
    res.body.memberships as { orgId: string; orgName: string; role: string; teams: string[] }[]
  ).map((m) => ({ id: m.orgId, name: m.orgName, role: m.role, teams: m.teams }));
}

describe('the orgs claim', () => {
  it('equals GET /v1/me for people of 0, 1 and 25 orgs, cut at 20', async () => {
    const [none, one, many] = await Promise.all([
      env.person('none'),
      env.person('one'),
      env.person('many'),
    ]);
    await call('POST', '/v1/orgs', { as: one, body: { name: uniqueSlug('one') } });
    for (let i = 0; i < 25; i++) {
      const res = await call('POST', '/v1/orgs', {
        as: many,
        body: { name: `${uniqueSlug('many')}-${String(i).padStart(2, '0')}` },
      });
      expect(res.status).toBe(201);
    }
    expect(await claimsOf(none)).toEqual({ orgs: [] });
    const oneClaim = await claimsOf(one);
    expect(oneClaim.orgs).toHaveLength(1);
    expect(oneClaim).toEqual({ orgs: await meAsClaim(one) });
    const manyClaim = await claimsOf(many);
    const all = await meAsClaim(many);
    expect(all).toHaveLength(25);
    expect(manyClaim).toEqual({ orgs: all.slice(0, 20), orgs_truncated: true });
  });

  it("adds nothing for a token SPEC §8 does not trust: an owner's address unverified, or from a provider no connection names", async () => {
    const owner = await env.person('claimed');
    await call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('claimed') } });
    expect((await claimsOf(owner)).orgs).toHaveLength(1);
    const evil = JSON.stringify([{ providerName: 'EvilCorpOIDC', primary: 'true' }]);
    for (const attributes of <Record<string, string>[]>[
      { email_verified: 'false' },
      {},
      { email_verified: 'true', identities: evil },
      { email_verified: 'true', identities: '[{' },
    ]) {
      const out = await invokePreToken(event(owner, attributes));
      expect(out.FunctionError).toBeUndefined();
      const result = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
      expect(result.response.claimsAndScopeOverrideDetails).toBeNull();
    }
  });

  it('fails open: with DynamoDB not answering, the event comes back without the claim within its budget', async () => {
    // A table endpoint that accepts connections and never answers.
    const sockets: import('node:net').Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const saved = process.env[ENV.dynamodbEndpoint];
    process.env[ENV.dynamodbEndpoint] = `http://127.0.0.1:${port}`;
    try {
      vi.resetModules();
      const { loadConfig } = await import('../../shared/config.ts');
      expect(loadConfig().dynamodbEndpoint).toBe(`http://127.0.0.1:${port}`);
      const { handler } = await import('../../functions/pre-token/handler.ts');
      const input = event('slow@example.test');
      const started = Date.now();
      const result = (await (handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)(
        structuredClone(input),
        { awsRequestId: 'test', functionName: 'provisio-pre-token' },
      )) as typeof input;
      expect(Date.now() - started).toBeLessThan(1800);
      expect(result).toEqual(input);
    } finally {
      process.env[ENV.dynamodbEndpoint] = saved;
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe("the local stack's sign-in (npm run local:token)", () => {
  it('returns tokens carrying the orgs claim, which the local API accepts', async () => {
    const user = await signedInUser();
    const { apiUrl } = localStack();
    const name = uniqueSlug('tokens');
    const created = await fetch(`${apiUrl}/v1/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(created.status).toBe(201);
    const orgId = ((await created.json()) as { id: string }).id;

    const tokens = await localSignIn(localStack(), user.email, user.password);
    const expected = [{ id: orgId, name, role: 'owner', teams: [] }];
    expect(tokenClaims(tokens.idToken).orgs).toEqual(expected);
    expect(tokenClaims(tokens.accessToken).orgs).toEqual(expected);
    expect(tokenClaims(tokens.idToken).email).toBe(user.email);

    // Re-signed with cognito-local's key: the local API's authorizer takes them.
    const me = await fetch(`${apiUrl}/v1/me`, {
      headers: { authorization: `Bearer ${tokens.idToken}` },
    });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { memberships: { orgId: string }[] };
    expect(body.memberships.map((m) => m.orgId)).toEqual([orgId]);
  });
});
