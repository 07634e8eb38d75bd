/**
 * SPEC §8, who calls the admin API, end to end: ID tokens signed with the local pool's own key
 * (cognito-local's), checked by the stack's JWT authorizer and then by the admin function's
 * caller rule. A federated provider vouches only for its connection's verified domains.
 */
import { createPrivateKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { api, localStack } from '../support/local-stack.ts';

const require = createRequire(import.meta.url);
const { call, owner, newOrg, verifiedDomain } = adminSuite();

/** An ID token as the local pool issues them, with the claims given. */
async function idToken(claims: Record<string, unknown>): Promise<string> {
  const { pem } = require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
  const { endpoint, userPoolId, clientId } = localStack().cognito;
  return new SignJWT({ token_use: 'id', 'cognito:username': `u-${uniqueSlug('x')}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
    .setIssuer(`${endpoint}/${userPoolId}`)
    .setAudience(clientId)
    .setSubject(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(createPrivateKey(pem));
}

/** Cognito's `identities` claim for a user of one federated provider. */
const identities = (providerName: string) => [
  {
    userId: crypto.randomUUID(),
    providerName,
    providerType: providerName === 'Google' ? 'Google' : 'SAML',
    issuer: null,
    primary: 'true',
    dateCreated: String(Date.now()),
  },
];

/** Creates an org as the token's bearer: 201 proves the caller was trusted. */
async function createOrgWith(token: string) {
  const res = await api('/v1/orgs', {
    method: 'POST',
    token,
    body: JSON.stringify({ name: uniqueSlug('org') }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: text ? JSON.parse(text) : undefined,
  };
}

describe('who calls the admin API (SPEC §8)', () => {
  it("trusts a connection's provider for emails on its verified domains, and no further", async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: {
        name: 'Okta',
        idp: { type: 'saml', metadataUrl: 'https://idp.example.test/metadata' },
        domains: [domain],
      },
    });
    expect(created.status).toBe(201);
    const providerName: string = created.body.providerName;

    // An address on the connection's domain: trusted, whatever the IdP says of verification.
    const member = `ada-${uniqueSlug('u')}@${domain}`;
    const trusted = await createOrgWith(
      await idToken({ email: member, identities: identities(providerName) }),
    );
    expect(trusted.status, JSON.stringify(trusted.body)).toBe(201);
    const mine = await api(`/v1/orgs/${trusted.body.id}/members`, {
      token: await idToken({ email: member, identities: identities(providerName) }),
    });
    expect(((await mine.json()) as { items: { email: string }[] }).items[0]!.email).toBe(member);

    // The same provider asserting another tenant's address: refused, saying why.
    const outside = await createOrgWith(
      await idToken({
        email: owner,
        email_verified: true,
        identities: identities(providerName),
      }),
    );
    expectProblem(outside, 401);
    expect(outside.body.detail).toContain('speaks only for the verified domains');
  });

  it.each([
    ['no email_verified', () => ({ email: `a-${uniqueSlug('u')}@example.test` }), 'not verified'],
    [
      'email_verified false',
      () => ({ email: `a-${uniqueSlug('u')}@example.test`, email_verified: false }),
      'not verified',
    ],
    [
      'an unbound federated provider claiming a verified email',
      () => ({ email: owner, email_verified: true, identities: identities('EvilCorpOidc') }),
      'no SSO connection names',
    ],
    [
      'a social provider that did not verify the email',
      () => ({ email: `a-${uniqueSlug('u')}@gmail.com`, identities: identities('Google') }),
      'Google has not verified',
    ],
  ])('answers 401 with a problem saying why for a token with %s', async (_, claims, why) => {
    const res = await createOrgWith(await idToken(claims()));
    expectProblem(res, 401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toContain(why);
  });

  it('trusts a password user and a social provider with a verified email', async () => {
    const password = await createOrgWith(
      await idToken({ email: `p-${uniqueSlug('u')}@example.test`, email_verified: true }),
    );
    expect(password.status, JSON.stringify(password.body)).toBe(201);
    const google = await createOrgWith(
      await idToken({
        email: `g-${uniqueSlug('u')}@gmail.com`,
        email_verified: true,
        identities: identities('Google'),
      }),
    );
    expect(google.status, JSON.stringify(google.body)).toBe(201);
  });
});
