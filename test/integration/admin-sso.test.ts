/**
 * Admin API (SPEC §5), SSO connections at org and company scope, through the local stack's HTTP
 * API with cognito-local tokens; the sign-in hook then decides with what the API wrote.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { readConnection, readVerifiedDomain } from '../../shared/adapters/dynamodb/items.ts';
import { signHookBody } from '../../shared/sign-in/hook-signature.ts';
import { keys } from '../../shared/table/schema.ts';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, uniqueDomain } from '../support/admin-suite.ts';
import { api, localStack } from '../support/local-stack.ts';

const { env, call, owner, stranger, newOrg, newCompanyWithOrg, verifiedDomain } = adminSuite();
const uniqueProvider = () => `Idp${uniqueSlug('p').replace(/-/g, '').slice(0, 20)}`;

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
    const providerName = uniqueProvider();
    const res = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', providerName, domains: [domain.toUpperCase()], defaultTeam: 'staff' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Okta',
      providerName,
      domains: [domain],
      jit: true,
      scim: false,
      defaultOrgId: org.id,
      defaultTeam: 'staff',
      createdAt: expect.any(String),
    });
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
    const body = { name: 'Entra', providerName: uniqueProvider(), domains: [domain] };
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
    expect(res.body).toMatchObject({ defaultOrgId: company.org.id, jit: false, scim: true });
    expect(readConnection((await getItem(keys.ssoProvider(body.providerName)))!).scope).toEqual({
      type: 'company',
      id: company.id,
    });
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
    const ok = { name: 'Okta', providerName: uniqueProvider(), domains: [domain] };
    expectProblem(await call('POST', path, { as: owner, body: { ...ok, name: '' } }), 400, 'name');
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, providerName: 'Google' } }),
      400,
      'providerName',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { ...ok, providerName: 'has space' } }),
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
    const body = { name: 'Okta', providerName: uniqueProvider(), domains: ['x.example.test'] };
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

  it('answers 409 for a domain the scope has not verified, one served by another connection, and a provider name in use', async () => {
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
      body: { name: 'a', providerName: uniqueProvider(), domains: [pending] },
    });
    expectProblem(notVerified, 409);
    expect(notVerified.body.detail).toContain('not a verified domain');
    const unknown = await call('POST', path, {
      as: owner,
      body: { name: 'a', providerName: uniqueProvider(), domains: [uniqueDomain()] },
    });
    expectProblem(unknown, 409);

    const domain = await verifiedDomain(`orgs/${org.id}`);
    const providerName = uniqueProvider();
    expect(
      (
        await call('POST', path, {
          as: owner,
          body: { name: 'a', providerName, domains: [domain] },
        })
      ).status,
    ).toBe(201);
    const served = await call('POST', path, {
      as: owner,
      body: { name: 'b', providerName: uniqueProvider(), domains: [domain] },
    });
    expectProblem(served, 409);
    expect(served.body.detail).toContain('already served');

    const other = await newOrg({ as: stranger });
    const theirs = await verifiedDomain(`orgs/${other.id}`, stranger);
    const taken = await call('POST', `/v1/orgs/${other.id}/sso-connections`, {
      as: stranger,
      body: { name: 'c', providerName, domains: [theirs] },
    });
    expectProblem(taken, 409);
    expect(taken.body.detail).toContain('provider name');
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
        body: { name: d, providerName: uniqueProvider(), domains: [d] },
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
  it('turns JIT off, renames the provider and moves domains, keeping the sign-in copies in step', async () => {
    const org = await newOrg();
    const [d1, d2] = [
      await verifiedDomain(`orgs/${org.id}`),
      await verifiedDomain(`orgs/${org.id}`),
    ];
    const before = uniqueProvider();
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', providerName: before, domains: [d1] },
    });
    const path = `/v1/orgs/${org.id}/sso-connections/${created.body.id}`;
    const jitOff = await call('PATCH', path, { as: owner, body: { jit: false } });
    expect(jitOff.status).toBe(200);
    expect(jitOff.body).toMatchObject({ jit: false, providerName: before, domains: [d1] });
    expect(readConnection((await getItem(keys.ssoProvider(before)))!).jit).toBe(false);

    const after = uniqueProvider();
    const moved = await call('PATCH', path, {
      as: owner,
      body: { providerName: after, domains: [d2], defaultTeam: 'eng' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      providerName: after,
      domains: [d2],
      defaultTeam: 'eng',
      jit: false,
    });
    expect(await getItem(keys.ssoProvider(before))).toBeUndefined();
    expect(readConnection((await getItem(keys.ssoProvider(after)))!)).toMatchObject({
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
          providerName: { from: before, to: after },
          domains: { from: [d1], to: [d2] },
          defaultTeam: { from: null, to: 'eng' },
        },
      },
    });
  });

  it('answers 400 naming the field, 401, 404 for another tenant or an unknown id, 409 for a taken provider name or an unverified domain', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const spare = await verifiedDomain(`orgs/${org.id}`);
    const base = `/v1/orgs/${org.id}/sso-connections`;
    const taken = uniqueProvider();
    await call('POST', base, {
      as: owner,
      body: { name: 'one', providerName: taken, domains: [spare] },
    });
    const created = await call('POST', base, {
      as: owner,
      body: { name: 'two', providerName: uniqueProvider(), domains: [domain] },
    });
    const path = `${base}/${created.body.id}`;
    expectProblem(await call('PATCH', path, { as: owner, body: { scim: 'on' } }), 400, 'scim');
    expectProblem(
      await call('PATCH', path, { as: owner, body: { providerName: 'SignInWithApple' } }),
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
    expectProblem(await call('PATCH', path, { as: owner, body: { providerName: taken } }), 409);
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
    const providerName = uniqueProvider();
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', providerName, domains: [domain] },
    });
    const path = `/v1/orgs/${org.id}/sso-connections/${created.body.id}`;
    expectProblem(await call('DELETE', path), 401);
    expectProblem(await call('DELETE', path, { as: stranger }), 404);
    expect((await call('DELETE', path, { as: owner })).status).toBe(204);
    expect(await getItem(keys.ssoProvider(providerName))).toBeUndefined();
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

  it('is detached from a domain that is removed', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    const providerName = uniqueProvider();
    const created = await call('POST', `/v1/companies/${company.id}/sso-connections`, {
      as: owner,
      body: { name: 'Okta', providerName, domains: [domain], defaultOrgId: company.org.id },
    });
    expect(
      (await call('DELETE', `/v1/companies/${company.id}/domains/${domain}`, { as: owner })).status,
    ).toBe(204);
    expect(readConnection((await getItem(keys.ssoProvider(providerName)))!).domains).toEqual([]);
    const list = await call('GET', `/v1/companies/${company.id}/sso-connections`, { as: owner });
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: created.body.id, domains: [] }),
    ]);
  });

  it('answers 409 "use the company" in a company org', async () => {
    const company = await newCompanyWithOrg();
    expectProblem(
      await call('DELETE', `/v1/orgs/${company.org.id}/sso-connections/any`, { as: owner }),
      409,
    );
  });
});
