/**
 * SPEC §8, who calls the admin API: the rule over the claims, and how the claims are read from
 * an API Gateway event (the `identities` claim from the verified bearer token).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type CallerClaims,
  callerClaims,
  trustedCaller,
} from '../../../shared/admin/http/caller.ts';
import type { Connection, DomainEnforcement } from '../../../shared/model/types.ts';

const okta: Connection = {
  id: 'c1',
  name: 'Acme Okta',
  providerName: 'provisio-0123456789abcdef0123456',
  scope: { type: 'org', id: 'o1' },
  domains: ['acme.com', 'xn--bcher-kva.de'],
  jit: true,
  scim: false,
  defaultOrg: { id: 'o1', name: 'acme' },
  defaultTeam: null,
};

/** SPEC §12: what the verified-domain item of each domain mirrors. */
const enforcements: Record<string, DomainEnforcement> = {};

const lookups: string[] = [];
const providers = async (domain: string, name: string | undefined) => {
  if (name) lookups.push(name);
  return {
    connection: name === okta.providerName ? okta : undefined,
    enforcement: enforcements[domain],
  };
};

const identities = (providerName: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify([
    {
      userId: 'u1',
      providerName,
      providerType: 'OIDC',
      primary: 'true',
      dateCreated: '1',
      ...extra,
    },
  ]);

const caller = (claims: CallerClaims) => trustedCaller(claims, providers);

describe('who calls the admin API (SPEC §8)', () => {
  it('trusts a password user whose email the pool verified', async () => {
    await expect(caller({ email: 'Ada@Acme.com', email_verified: 'true' })).resolves.toEqual({
      email: 'ada@acme.com',
    });
    await expect(caller({ email: 'ada@acme.com', email_verified: true })).resolves.toEqual({
      email: 'ada@acme.com',
    });
  });

  it('trusts a Cognito social provider that verified the email', async () => {
    await expect(
      caller({ email: 'ada@gmail.com', email_verified: 'true', identities: identities('Google') }),
    ).resolves.toEqual({ email: 'ada@gmail.com' });
  });

  it("trusts a connection's provider for its verified domains only, whatever it says of verification", async () => {
    const p = okta.providerName;
    await expect(caller({ email: 'ada@acme.com', identities: identities(p) })).resolves.toEqual({
      email: 'ada@acme.com',
    });
    await expect(
      caller({ email: 'ada@BÜCHER.de', email_verified: 'false', identities: identities(p) }),
    ).resolves.toEqual({ email: 'ada@xn--bcher-kva.de' });
  });

  it.each<[string, CallerClaims, RegExp]>([
    ['no email_verified', { email: 'ada@acme.com' }, /not verified/],
    ['email_verified false', { email: 'ada@acme.com', email_verified: 'false' }, /not verified/],
    [
      'email_verified "True" (not the pool\'s "true")',
      { email: 'a@acme.com', email_verified: 'True' },
      /not verified/,
    ],
    [
      'a social provider that did not verify',
      { email: 'ada@gmail.com', identities: identities('Google') },
      /Google has not verified/,
    ],
    [
      'an unbound federated provider asserting a verified email',
      { email: 'ceo@acme.com', email_verified: 'true', identities: identities('EvilCorpOIDC') },
      /no SSO connection names/,
    ],
    [
      "a connection's provider vouching outside its domains",
      {
        email: 'ceo@victim.com',
        email_verified: 'true',
        identities: identities(okta.providerName),
      },
      /speaks only for the verified domains/,
    ],
    [
      'a subdomain of a connection domain',
      { email: 'ceo@eu.acme.com', identities: identities(okta.providerName) },
      /speaks only for/,
    ],
    [
      'unreadable identities',
      { email: 'a@acme.com', email_verified: 'true', identities: '[{' },
      /could not be read/,
    ],
    ['no email (an access token)', { email_verified: 'true' }, /email claim/],
  ])('refuses with 401 and says why: %s', async (_, claims, why) => {
    await expect(caller(claims)).rejects.toMatchObject({ statusCode: 401, message: why });
  });

  it('never looks a social provider up as a connection', async () => {
    lookups.length = 0;
    await caller({
      email: 'ada@gmail.com',
      email_verified: 'true',
      identities: identities('Google'),
    });
    expect(lookups).toEqual([]);
  });
});

describe('SSO enforcement at the admin API (SPEC §12)', () => {
  const on: DomainEnforcement = {
    connectionId: okta.id,
    connectionName: okta.name,
    providerName: okta.providerName,
    mode: 'on',
    breakGlass: ['owner@acme.com'],
    defaultOrg: okta.defaultOrg,
    companyId: null,
  };
  const password = (email: string) => ({ email, email_verified: 'true' });

  it('refuses a password or social token of an enforced address: 401 SSO required', async () => {
    enforcements['acme.com'] = on;
    await expect(caller(password('ada@acme.com'))).rejects.toMatchObject({
      statusCode: 401,
      message: expect.stringMatching(/^SSO required/),
    });
    await expect(
      caller({ ...password('ada@acme.com'), identities: identities('Google') }),
    ).rejects.toMatchObject({ statusCode: 401, message: expect.stringMatching(/^SSO required/) });
  });

  it("lets the enforcing connection's tokens, break-glass owners and other domains through", async () => {
    enforcements['acme.com'] = on;
    await expect(
      caller({ email: 'ada@acme.com', identities: identities(okta.providerName) }),
    ).resolves.toEqual({ email: 'ada@acme.com' });
    await expect(caller(password('owner@acme.com'))).resolves.toEqual({
      email: 'owner@acme.com',
    });
    await expect(caller(password('grace@elsewhere.org'))).resolves.toEqual({
      email: 'grace@elsewhere.org',
    });
  });

  it('refuses nothing in report mode', async () => {
    enforcements['acme.com'] = { ...on, mode: 'report' };
    await expect(caller(password('ada@acme.com'))).resolves.toEqual({ email: 'ada@acme.com' });
  });
});

describe('the claims of an API Gateway event', () => {
  const jwt = (payload: Record<string, unknown>) =>
    `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
  const event = (claims: Record<string, string>, authorization?: string) =>
    ({
      headers: authorization ? { authorization } : {},
      requestContext: { authorizer: { jwt: { claims, scopes: null } } },
    }) as unknown as APIGatewayProxyEventV2;

  it('reads identities from the verified bearer token: API Gateway flattens arrays of objects', () => {
    const signed = [{ providerName: 'provisio-x', primary: 'true' }];
    const claims = callerClaims(
      event(
        { email: 'ada@acme.com', identities: '[map[providerName:provisio-x]]' },
        `Bearer ${jwt({ email: 'ada@acme.com', identities: signed })}`,
      ),
    );
    expect(claims).toMatchObject({ email: 'ada@acme.com', identities: signed });
  });

  it('a signed token without identities has none, whatever else says so', () => {
    const claims = callerClaims(
      event(
        { email: 'ada@acme.com', identities: '[x]' },
        `Bearer ${jwt({ email: 'ada@acme.com' })}`,
      ),
    );
    expect(claims.identities).toBeUndefined();
  });

  it("falls back to the authorizer's claims without a readable token", () => {
    expect(callerClaims(event({ email: 'ada@acme.com', identities: '[]' })).identities).toBe('[]');
  });
});
