/**
 * Admin API (SPEC §5, §8), SSO connections at org and company scope, through the local stack's
 * HTTP API with cognito-local tokens; the sign-in hook then decides with what the API wrote.
 * Provisio creates each connection's identity provider (the local stack keeps them in its
 * registry, as cognito-local has no identity-provider API).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { readConnection, readVerifiedDomain } from '../../shared/adapters/dynamodb/items.ts';
import { parseBoundProviders } from '../../shared/config.ts';
import { signHookBody } from '../../shared/sign-in/hook-signature.ts';
import { providerNameFor } from '../../shared/sso/identity-providers.ts';
import { keys } from '../../shared/table/schema.ts';
import { adminDeps, expectProblem, inProcessApi, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, uniqueDomain } from '../support/admin-suite.ts';
import { stackIdentityProviders } from '../support/identity-providers.ts';
import { api, localStack } from '../support/local-stack.ts';

const { env, call, owner, stranger, newOrg, newCompanyWithOrg, verifiedDomain } = adminSuite();
/** SAML settings by metadata URL, the common case. */
const saml = () => ({ type: 'saml', metadataUrl: 'https://idp.example.test/app/metadata' });

async function getItem(key: { pk: string; sk: string }) {
  return (await env.db.send(new GetCommand({ TableName: env.tableName, Key: key }))).Item;
}

/** Calls the HTTP sign-in hook as an IdP would, signed with the stack's hook secret. */
async function hookSignIn(body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const t = Math.floor(Date.now() / 1000);
  const res = await api('/v1/hooks/sign-in', {
    method: 'POST',
    body: raw,
    headers: { 'provisio-signature': signHookBody(localStack().hookSecret, raw, t) },
  });
  return { status: res.status, body: (await res.json()) as { memberships: unknown[] } };
}

describe('POST /v1/{scope}/sso-connections', () => {
  it('creates a connection (201) with JIT on and SCIM off by default, serving verified domains', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const res = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', idp: saml(), domains: [domain.toUpperCase()], defaultTeam: 'staff' },
    });
    expect(res.status).toBe(201);
    const providerName: string = res.body.providerName;
    const { userPoolId } = localStack().cognito;
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Okta',
      providerName: expect.stringMatching(/^provisio-[0-9a-f]{23}$/),
      idp: {
        source: 'created',
        type: 'saml',
        metadataUrl: 'https://idp.example.test/app/metadata',
        groupsClaim: 'groups',
      },
      serviceProvider: {
        type: 'saml',
        acsUrl: `${localStack().cognito.endpoint}/saml2/idpresponse`,
        entityId: `urn:amazon:cognito:sp:${userPoolId}`,
      },
      domains: [domain],
      active: true,
      jit: true,
      scim: false,
      defaultOrgId: org.id,
      defaultTeam: 'staff',
      enforcement: 'off',
      breakGlass: [],
      createdAt: expect.any(String),
    });
    // The provider, created in the pool under the derived name, routes by the connection's domains.
    const registry = await stackIdentityProviders();
    expect(registry.providers[providerName]).toMatchObject({
      type: 'SAML',
      identifiers: [domain],
      details: { MetadataURL: 'https://idp.example.test/app/metadata' },
    });
    expect(registry.clients[localStack().cognito.clientId]).toContain(providerName);
    // The sign-in's copies: the provider item and the domain's verified item.
    expect(readConnection((await getItem(keys.ssoProvider(providerName)))!)).toEqual({
      id: res.body.id,
      name: 'Okta',
      providerName,
      scope: { type: 'org', id: org.id },
      domains: [domain],
      jit: true,
      scim: false,
      defaultOrg: { id: org.id, name: org.name },
      defaultTeam: 'staff',
    });
    expect(
      readVerifiedDomain((await getItem(keys.domainVerified(domain)))!).ssoConnectionIds,
    ).toEqual([res.body.id]);
    const domains = await call('GET', `/v1/orgs/${org.id}/domains`, { as: owner });
    expect(domains.body.items[0].ssoConnectionId).toBe(res.body.id);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'sso_connection_created',
      subject: res.body.id,
    });

    // The sign-in decides with it: a JIT sign-in through the provider joins the default org and team.
    const email = `sso-${uniqueSlug('u')}@${domain}`;
    const signIn = await hookSignIn({ email, emailVerified: true, connection: providerName });
    expect(signIn.status).toBe(200);
    expect(signIn.body.memberships).toContainEqual({
      orgId: org.id,
      orgName: org.name,
      role: 'member',
      teams: ['staff'],
    });
  });

  it('needs defaultOrgId at company scope, naming an org of the company', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    const path = `/v1/companies/${company.id}/sso-connections`;
    const body = {
      name: 'Entra',
      idp: {
        type: 'oidc',
        issuer: 'https://login.example.test/tenant/v2.0',
        clientId: 'provisio-app',
        clientSecret: 'do-not-keep-me',
      },
      domains: [domain],
    };
    expectProblem(await call('POST', path, { as: owner, body }), 400, 'defaultOrgId');
    const outsider = await newOrg();
    expectProblem(
      await call('POST', path, { as: owner, body: { ...body, defaultOrgId: outsider.id } }),
      400,
      'defaultOrgId',
    );
    const res = await call('POST', path, {
      as: owner,
      body: { ...body, defaultOrgId: company.org.id, jit: false, scim: true },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      defaultOrgId: company.org.id,
      jit: false,
      scim: true,
      idp: { source: 'created', type: 'oidc', clientId: 'provisio-app' },
      serviceProvider: {
        type: 'oidc',
        redirectUri: `${localStack().cognito.endpoint}/oauth2/idpresponse`,
      },
    });
    // The client secret went to the provider only: never answered, never stored.
    expect(JSON.stringify(res.body)).not.toContain('do-not-keep-me');
    const stored = await getItem(
      keys.ssoConnection({ type: 'company', id: company.id }, res.body.id),
    );
    expect(JSON.stringify(stored)).not.toContain('do-not-keep-me');
    expect(JSON.stringify(await stackIdentityProviders())).not.toContain('do-not-keep-me');
    expect(readConnection((await getItem(keys.ssoProvider(res.body.providerName)))!).scope).toEqual(
      {
        type: 'company',
        id: company.id,
      },
    );
    const events = await call('GET', `/v1/companies/${company.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({ type: 'sso_connection_created', orgId: null });
  });

  it('answers 400 naming the field, including social providers', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const path = `/v1/orgs/${org.id}/sso-connections`;
    const ok = { name: 'Okta', idp: saml(), domains: [domain] };
    expectProblem(await call('POST', path, { as: owner, body: { ...ok, name: '' } }), 400, 'name');
    const { idp: _idp, ...noIdp } = ok;
    expectProblem(await call('POST', path, { as: owner, body: noIdp }), 400, 'idp');
    expectProblem(
      await call('POST', path, { as: owner, body: { ...noIdp, providerName: 'Google' } }),
      400,
      'providerName',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { ...noIdp, providerName: 'has space' } }),
      400,
      'providerName',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, providerName: 'AcmeOkta' } }),
      400,
      'providerName',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, domains: [] } }),
      400,
      'domains',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, domains: [domain, 'not a domain'] } }),
      400,
      'domains[1]',
    );
    expectProblem(await call('POST', path, { as: owner, body: { ...ok, jit: 'yes' } }), 400, 'jit');
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, defaultTeam: 'Not A Slug' } }),
      400,
      'defaultTeam',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, defaultOrgId: 'another' } }),
      400,
      'defaultOrgId',
    );
  });

  it('answers 401, 404 for another tenant, and 409 "use the company" in a company org', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/sso-connections`;
    const body = { name: 'Okta', idp: saml(), domains: ['x.example.test'] };
    expectProblem(await call('POST', path, { body }), 401);
    expectProblem(await call('POST', path, { as: stranger, body }), 404);
    const company = await newCompanyWithOrg();
    const res = await call('POST', `/v1/orgs/${company.org.id}/sso-connections`, {
      as: owner,
      body,
    });
    expectProblem(res, 409);
    expect(res.body.detail).toContain(`/v1/companies/${company.id}/sso-connections`);
  });

  it('answers 409 for a domain the scope has not verified or one served by another connection', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/sso-connections`;
    const pending = (
      await call('POST', `/v1/orgs/${org.id}/domains`, {
        as: owner,
        body: { domain: uniqueDomain() },
      })
    ).body.domain;
    const notVerified = await call('POST', path, {
      as: owner,
      body: { name: 'a', idp: saml(), domains: [pending] },
    });
    expectProblem(notVerified, 409);
    expect(notVerified.body.detail).toContain('not a verified domain');
    const unknown = await call('POST', path, {
      as: owner,
      body: { name: 'a', idp: saml(), domains: [uniqueDomain()] },
    });
    expectProblem(unknown, 409);

    const domain = await verifiedDomain(`orgs/${org.id}`);
    // This test's own IdP metadata: other files add providers to the same pool meanwhile, so
    // the pool is searched for this test's providers only.
    const idp = { ...saml(), metadataUrl: `https://idp.example.test/${uniqueSlug('m')}/metadata` };
    const ours = async () =>
      Object.values((await stackIdentityProviders()).providers).filter(
        (p) => (p as { details?: Record<string, string> }).details?.MetadataURL === idp.metadataUrl,
      );
    expect(
      (
        await call('POST', path, {
          as: owner,
          body: { name: 'a', idp, domains: [domain] },
        })
      ).status,
    ).toBe(201);
    const served = await call('POST', path, {
      as: owner,
      body: { name: 'b', idp, domains: [domain] },
    });
    expectProblem(served, 409);
    expect(served.body.detail).toContain('already served');
    // Refused before any provider is created: one provider of these settings, the first's.
    expect(await ours()).toHaveLength(1);
  });
});

describe('GET /v1/{scope}/sso-connections', () => {
  it('lists connections, paged; 400 for a bad limit, 401, 404', async () => {
    const org = await newOrg();
    const [d1, d2] = [
      await verifiedDomain(`orgs/${org.id}`),
      await verifiedDomain(`orgs/${org.id}`),
    ];
    const path = `/v1/orgs/${org.id}/sso-connections`;
    for (const d of [d1, d2]) {
      await call('POST', path, {
        as: owner,
        body: { name: d, idp: saml(), domains: [d] },
      });
    }
    const first = await call('GET', path, { as: owner, query: { limit: '1' } });
    expect(first.body.items).toHaveLength(1);
    const second = await call('GET', path, {
      as: owner,
      query: { limit: '1', cursor: first.body.nextCursor },
    });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([first.body.items[0].name, second.body.items[0].name].sort()).toEqual([d1, d2].sort());
    expectProblem(await call('GET', path, { as: owner, query: { limit: '-1' } }), 400, 'limit');
    expectProblem(await call('GET', path), 401);
    expectProblem(await call('GET', path, { as: stranger }), 404);
  });
});

describe('PATCH /v1/{scope}/sso-connections/{id}', () => {
  it("turns JIT off, updates the provider's settings and moves domains, keeping the sign-in copies and the provider in step", async () => {
    const org = await newOrg();
    const [d1, d2] = [
      await verifiedDomain(`orgs/${org.id}`),
      await verifiedDomain(`orgs/${org.id}`),
    ];
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', idp: saml(), domains: [d1] },
    });
    const providerName: string = created.body.providerName;
    const path = `/v1/orgs/${org.id}/sso-connections/${created.body.id}`;
    const jitOff = await call('PATCH', path, { as: owner, body: { jit: false } });
    expect(jitOff.status).toBe(200);
    expect(jitOff.body).toMatchObject({ jit: false, providerName, domains: [d1] });
    expect(readConnection((await getItem(keys.ssoProvider(providerName)))!).jit).toBe(false);

    const newSettings = { type: 'saml', metadataUrl: 'https://idp.example.test/v2/metadata' };
    const moved = await call('PATCH', path, {
      as: owner,
      body: { idp: newSettings, domains: [d2], defaultTeam: 'eng' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      providerName,
      idp: { source: 'created', type: 'saml', metadataUrl: newSettings.metadataUrl },
      domains: [d2],
      defaultTeam: 'eng',
      jit: false,
    });
    expect((await stackIdentityProviders()).providers[providerName]).toMatchObject({
      identifiers: [d2],
      details: { MetadataURL: newSettings.metadataUrl },
    });
    expect(readConnection((await getItem(keys.ssoProvider(providerName)))!)).toMatchObject({
      id: created.body.id,
      domains: [d2],
      defaultTeam: 'eng',
    });
    expect(readVerifiedDomain((await getItem(keys.domainVerified(d1)))!).ssoConnectionIds).toEqual(
      [],
    );
    expect(readVerifiedDomain((await getItem(keys.domainVerified(d2)))!).ssoConnectionIds).toEqual([
      created.body.id,
    ]);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'sso_connection_updated',
      subject: created.body.id,
      details: {
        changes: {
          domains: { from: [d1], to: [d2] },
          defaultTeam: { from: null, to: 'eng' },
        },
      },
    });
    // A provider's type cannot change.
    expectProblem(
      await call('PATCH', path, {
        as: owner,
        body: { idp: { type: 'oidc', issuer: 'https://x.test', clientId: 'a', clientSecret: 'b' } },
      }),
      400,
      'idp.type',
    );
  });

  it('answers 400 naming the field, 401, 404 for another tenant or an unknown id, 409 for an unverified or served domain', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const spare = await verifiedDomain(`orgs/${org.id}`);
    const base = `/v1/orgs/${org.id}/sso-connections`;
    const one = await call('POST', base, {
      as: owner,
      body: { name: 'one', idp: saml(), domains: [spare] },
    });
    const created = await call('POST', base, {
      as: owner,
      body: { name: 'two', idp: saml(), domains: [domain] },
    });
    const path = `${base}/${created.body.id}`;
    expectProblem(await call('PATCH', path, { as: owner, body: { scim: 'on' } }), 400, 'scim');
    expectProblem(
      await call('PATCH', path, { as: owner, body: { providerName: 'SignInWithApple' } }),
      400,
      'providerName',
    );
    // Squatting (SPEC §8): the provider another connection created cannot be named.
    expectProblem(
      await call('PATCH', path, { as: owner, body: { providerName: one.body.providerName } }),
      400,
      'providerName',
    );
    expectProblem(await call('PATCH', path, { as: owner, body: { unknown: 1 } }), 400, 'unknown');
    expectProblem(await call('PATCH', path, { body: { jit: false } }), 401);
    expectProblem(await call('PATCH', path, { as: stranger, body: { jit: false } }), 404);
    expectProblem(
      await call('PATCH', `${base}/no-such-connection`, { as: owner, body: { jit: false } }),
      404,
    );
    expectProblem(
      await call('PATCH', path, { as: owner, body: { domains: [uniqueDomain()] } }),
      409,
    );
    expectProblem(await call('PATCH', path, { as: owner, body: { domains: [spare] } }), 409);
  });
});

describe('DELETE /v1/{scope}/sso-connections/{id}', () => {
  it('deletes the connection and its provider copy, detaching its domains (204)', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', idp: saml(), domains: [domain] },
    });
    const providerName: string = created.body.providerName;
    expect((await stackIdentityProviders()).providers[providerName]).toBeDefined();
    const path = `/v1/orgs/${org.id}/sso-connections/${created.body.id}`;
    expectProblem(await call('DELETE', path), 401);
    expectProblem(await call('DELETE', path, { as: stranger }), 404);
    expect((await call('DELETE', path, { as: owner })).status).toBe(204);
    expect(await getItem(keys.ssoProvider(providerName))).toBeUndefined();
    // The provider Provisio created is gone from the pool and its app clients.
    const registry = await stackIdentityProviders();
    expect(registry.providers[providerName]).toBeUndefined();
    expect(registry.clients[localStack().cognito.clientId] ?? []).not.toContain(providerName);
    expect(
      readVerifiedDomain((await getItem(keys.domainVerified(domain)))!).ssoConnectionIds,
    ).toEqual([]);
    expect(
      (await call('GET', `/v1/orgs/${org.id}/sso-connections`, { as: owner })).body.items,
    ).toEqual([]);
    expectProblem(await call('DELETE', path, { as: owner }), 404);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'sso_connection_deleted',
      subject: created.body.id,
    });
  });

  it('is detached from a domain that is removed, inactive, and its provider no longer routes it (SPEC §8)', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    const created = await call('POST', `/v1/companies/${company.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', idp: saml(), domains: [domain], defaultOrgId: company.org.id },
    });
    const providerName: string = created.body.providerName;
    expect(
      (await call('DELETE', `/v1/companies/${company.id}/domains/${domain}`, { as: owner })).status,
    ).toBe(204);
    expect(readConnection((await getItem(keys.ssoProvider(providerName)))!).domains).toEqual([]);
    const list = await call('GET', `/v1/companies/${company.id}/sso-connections`, { as: owner });
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: created.body.id, domains: [], active: false }),
    ]);
    // The stream worker drops the domain from the provider's IdpIdentifiers after the commit.
    await expect
      .poll(async () => (await stackIdentityProviders()).providers[providerName]?.identifiers, {
        timeout: 15_000,
      })
      .toEqual([]);
    const events = await call('GET', `/v1/companies/${company.id}/events`, { as: owner });
    expect(events.body.items).toContainEqual(
      expect.objectContaining({
        type: 'sso_connection_updated',
        subject: created.body.id,
        details: expect.objectContaining({ reason: 'domain_removed', active: false }),
      }),
    );
    // A sign-in through the inactive connection is denied.
    const signIn = await hookSignIn({
      email: `sso-${uniqueSlug('u')}@${domain}`,
      emailVerified: true,
      connection: providerName,
    });
    expect(signIn.status).toBe(403);
  });

  it('answers 409 "use the company" in a company org', async () => {
    const company = await newCompanyWithOrg();
    expectProblem(
      await call('DELETE', `/v1/orgs/${company.org.id}/sso-connections/any`, { as: owner }),
      409,
    );
  });
});

describe('who names a provider (SPEC §8)', () => {
  /** The admin handler in this process, with providers the operator bound. */
  const withBound = (bound: Record<string, string>) =>
    inProcessApi(
      adminDeps(env.db, env.tableName, [], {
        boundProviders: parseBoundProviders(JSON.stringify(bound)),
      }),
    );

  it('a connection names an operator-bound provider from its own scope only, and nobody else can', async () => {
    const org = await newOrg();
    const theirs = await newOrg({ as: stranger });
    const [domain, strangerDomain] = [
      await verifiedDomain(`orgs/${org.id}`),
      await verifiedDomain(`orgs/${theirs.id}`, stranger),
    ];
    const bound = `Bound${uniqueSlug('p').replace(/-/g, '').slice(0, 20)}`;
    const api = withBound({ [bound]: `orgs/${org.id}` });
    const body = { name: 'Hand-made', providerName: bound, domains: [domain] };

    // Another tenant cannot claim it, by create or by update.
    expectProblem(
      await api.call('POST', `/v1/orgs/${theirs.id}/sso-connections`, {
        as: stranger,
        body: { ...body, domains: [strangerDomain] },
      }),
      400,
      'providerName',
    );
    const strangers = await call('POST', `/v1/orgs/${theirs.id}/sso-connections`, {
      as: stranger,
      body: { name: 'Theirs', idp: saml(), domains: [strangerDomain] },
    });
    expectProblem(
      await api.call('PATCH', `/v1/orgs/${theirs.id}/sso-connections/${strangers.body.id}`, {
        as: stranger,
        body: { providerName: bound },
      }),
      400,
      'providerName',
    );
    // Nor can the owner name it where it is not bound (the stack binds nothing).
    expectProblem(
      await call('POST', `/v1/orgs/${org.id}/sso-connections`, { as: owner, body }),
      400,
      'providerName',
    );

    const created = await api.call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      providerName: bound,
      idp: { source: 'bound' },
      serviceProvider: null,
    });
    expect(readConnection((await getItem(keys.ssoProvider(bound)))!).id).toBe(created.body.id);
    // A bound provider is the operator's: Provisio created nothing in the pool for it (neither
    // under the bound name nor under the name it would derive), while the stranger's connection
    // got its own. Only names this test made are looked at: other files add providers meanwhile.
    const registryAfter = (await stackIdentityProviders()).providers;
    expect(registryAfter[bound]).toBeUndefined();
    expect(registryAfter[providerNameFor(created.body.id)]).toBeUndefined();
    expect(registryAfter[strangers.body.providerName]).toBeDefined();

    // One connection per provider, even within the scope.
    const spare = await verifiedDomain(`orgs/${org.id}`);
    const again = await api.call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { ...body, name: 'Again', domains: [spare] },
    });
    expectProblem(again, 409);
    expect(again.body.detail).toContain('provider name');
  });

  it("switching a bound connection to the IdP's settings creates a provider under the derived name", async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const bound = `Bound${uniqueSlug('p').replace(/-/g, '').slice(0, 20)}`;
    const api = withBound({ [bound]: `orgs/${org.id}` });
    const created = await api.call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Hand-made', providerName: bound, domains: [domain] },
    });
    const path = `/v1/orgs/${org.id}/sso-connections/${created.body.id}`;
    const switched = await api.call('PATCH', path, { as: owner, body: { idp: saml() } });
    expect(switched.status, JSON.stringify(switched.body)).toBe(200);
    expect(switched.body.providerName).toMatch(/^provisio-/);
    expect(await getItem(keys.ssoProvider(bound))).toBeUndefined();
    expect(readConnection((await getItem(keys.ssoProvider(switched.body.providerName)))!).id).toBe(
      created.body.id,
    );
  });
});
