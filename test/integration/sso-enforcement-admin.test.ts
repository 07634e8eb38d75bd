/**
 * SPEC §12 on the connection's side, through the local stack's HTTP API: an SSO connection's
 * `enforcement` and `breakGlass`, their mirror on the verified-domain items the doors read, the
 * no-lockout check on switching to `on`, and `sso_enforcement_changed`.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { readConnection, readVerifiedDomain } from '../../shared/adapters/dynamodb/items.ts';
import { keys } from '../../shared/table/schema.ts';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { hookSignIn } from '../support/local-stack.ts';

const { env, call, owner, stranger, newOrg, newCompanyWithOrg, verifiedDomain } = adminSuite();
const saml = () => ({ type: 'saml', metadataUrl: 'https://idp.example.test/app/metadata' });

async function getItem(key: { pk: string; sk: string }) {
  return (await env.db.send(new GetCommand({ TableName: env.tableName, Key: key }))).Item;
}

/** What the doors read of a domain: the enforcement its verified item mirrors, if any. */
const mirrored = async (domain: string) =>
  readVerifiedDomain((await getItem(keys.domainVerified(domain)))!).enforcement;

/** An org with a verified domain and a connection serving it. */
async function orgWithConnection(body: Record<string, unknown> = {}) {
  const org = await newOrg();
  const domain = await verifiedDomain(`orgs/${org.id}`);
  const res = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
    as: owner,
    body: { name: 'Okta', idp: saml(), domains: [domain], ...body },
  });
  return { org, domain, res, base: `/v1/orgs/${org.id}/sso-connections/${res.body?.id}` };
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe('enforcement and break-glass on SSO connections (SPEC §12)', () => {
  it('defaults to off with no break-glass owners, in every answer, and mirrors nothing', async () => {
    const { org, domain, res, base } = await orgWithConnection();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ enforcement: 'off', breakGlass: [] });
    const list = await call('GET', `/v1/orgs/${org.id}/sso-connections`, { as: owner });
    expect(list.body.items[0]).toMatchObject({ enforcement: 'off', breakGlass: [] });
    const patched = await call('PATCH', base, { as: owner, body: { jit: false } });
    expect(patched.body).toMatchObject({ enforcement: 'off', breakGlass: [] });
    expect(await mirrored(domain)).toBeUndefined();
  });

  it('creates a connection in report mode with break-glass owners, normalised, mirrored on its domain', async () => {
    const { org, domain, res } = await orgWithConnection({
      enforcement: 'report',
      breakGlass: [owner.toUpperCase()],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ enforcement: 'report', breakGlass: [owner] });
    expect(await mirrored(domain)).toEqual({
      connectionId: res.body.id,
      connectionName: 'Okta',
      providerName: res.body.providerName,
      mode: 'report',
      breakGlass: [owner],
      defaultOrg: { id: org.id, name: org.name },
      companyId: null,
    });
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items).toContainEqual(
      expect.objectContaining({
        type: 'sso_enforcement_changed',
        subject: res.body.id,
        details: { from: 'off', to: 'report', breakGlass: [owner] },
      }),
    );
  });

  it('is 400 naming the field for a bad mode, too many break-glass owners, or one who is no owner', async () => {
    const { base } = await orgWithConnection();
    expectProblem(await call('PATCH', base, { as: owner, body: { enforcement: 'always' } }), 400);
    const four = ['a', 'b', 'c', 'd'].map((x) => `${x}@example.test`);
    const tooMany = await call('PATCH', base, { as: owner, body: { breakGlass: four } });
    expectProblem(tooMany, 400);
    expect(tooMany.body.detail).toContain('breakGlass');
    const notOwner = await call('PATCH', base, { as: owner, body: { breakGlass: [stranger] } });
    expectProblem(notOwner, 400);
    expect(notOwner.body.field).toBe('breakGlass[0]');
    expect(notOwner.body.detail).toContain(stranger);
    const bad = await call('PATCH', base, { as: owner, body: { breakGlass: ['not-an-email'] } });
    expectProblem(bad, 400);
    expect(bad.body.detail).toContain('breakGlass');
  });

  it('takes a company owner as break-glass at company scope', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    const res = await call('POST', `/v1/companies/${company.id}/sso-connections`, {
      as: owner,
      body: {
        name: 'Entra',
        idp: saml(),
        domains: [domain],
        defaultOrgId: company.org.id,
        enforcement: 'report',
        breakGlass: [owner],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await mirrored(domain)).toMatchObject({ companyId: company.id, breakGlass: [owner] });
  });

  it('refuses on (409) until someone signed in through the connection in the last 30 days, and counts who did not', async () => {
    const { domain, res, base } = await orgWithConnection({ enforcement: 'report' });
    const connectionId: string = res.body.id;
    // Two people signed in on the domain without SSO recently, one long ago (the sign-in's marks).
    for (const [who, on] of [
      ['ann', daysAgo(1)],
      ['bob', daysAgo(29)],
      ['cy', daysAgo(45)],
    ] as const) {
      await env.db.send(
        new PutCommand({
          TableName: env.tableName,
          Item: { ...keys.nonSsoSignIn(connectionId, `${who}@${domain}`), on },
        }),
      );
    }
    const refused = await call('PATCH', base, { as: owner, body: { enforcement: 'on' } });
    expectProblem(refused, 409);
    expect(refused.body).toMatchObject({ lastSsoSignInOn: null, peopleWithoutSso: 2 });
    expect(refused.body.detail).toContain('2 people');
    expect((await mirrored(domain))?.mode).toBe('report');

    // An SSO sign-in through the connection's provider records the day on its provider copy.
    const email = `sso-${uniqueSlug('u')}@${domain}`;
    const signIn = await hookSignIn({
      email,
      emailVerified: true,
      connection: res.body.providerName,
    });
    expect(signIn.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const provider = readConnection((await getItem(keys.ssoProvider(res.body.providerName)))!);
    expect(provider.lastSignInOn).toBe(today);

    const switched = await call('PATCH', base, { as: owner, body: { enforcement: 'on' } });
    expect(switched.status, JSON.stringify(switched.body)).toBe(200);
    expect(switched.body).toMatchObject({
      enforcement: 'on',
      enforcementCheck: { lastSsoSignInOn: today, peopleWithoutSso: 2 },
    });
    expect(await mirrored(domain)).toMatchObject({ mode: 'on', connectionId });
    // A later change of the connection keeps the day on the provider copy.
    await call('PATCH', base, { as: owner, body: { jit: false } });
    const after = readConnection((await getItem(keys.ssoProvider(res.body.providerName)))!);
    expect(after.lastSignInOn).toBe(today);
    expect(after.enforcement).toBe('on');
  });

  it('refuses creating a connection with enforcement on (nobody has signed in through it)', async () => {
    const { res } = await orgWithConnection({ enforcement: 'on' });
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ lastSsoSignInOn: null, peopleWithoutSso: 0 });
  });

  it('the mirror follows the connection: off removes it, a removed domain takes it along', async () => {
    const { org, domain, res, base } = await orgWithConnection({ enforcement: 'report' });
    const second = await verifiedDomain(`orgs/${org.id}`);
    const added = await call('PATCH', base, {
      as: owner,
      body: { domains: [domain, second], breakGlass: [owner] },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(await mirrored(second)).toMatchObject({ mode: 'report', breakGlass: [owner] });
    expect(await mirrored(domain)).toMatchObject({ mode: 'report', breakGlass: [owner] });

    // A domain the connection no longer names enforces nothing.
    await call('PATCH', base, { as: owner, body: { domains: [second] } });
    expect(await mirrored(domain)).toBeUndefined();
    expect(await mirrored(second)).toMatchObject({ connectionId: res.body.id });

    const off = await call('PATCH', base, { as: owner, body: { enforcement: 'off' } });
    expect(off.body).toMatchObject({ enforcement: 'off', breakGlass: [owner] });
    expect(await mirrored(second)).toBeUndefined();
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items).toContainEqual(
      expect.objectContaining({
        type: 'sso_enforcement_changed',
        details: { from: 'report', to: 'off', breakGlass: [owner] },
      }),
    );

    // Back to report, then the domain goes: its verified item goes with the mirror.
    await call('PATCH', base, { as: owner, body: { enforcement: 'report' } });
    expect(await mirrored(second)).toMatchObject({ mode: 'report' });
    const removed = await call('DELETE', `/v1/orgs/${org.id}/domains/${second}`, { as: owner });
    expect(removed.status).toBe(204);
    expect(await getItem(keys.domainVerified(second))).toBeUndefined();
  });

  it('deleting the connection removes the mirror from its domains and records the switch off', async () => {
    const { org, domain, res, base } = await orgWithConnection({ enforcement: 'report' });
    expect(await mirrored(domain)).toMatchObject({ mode: 'report' });
    expect((await call('DELETE', base, { as: owner })).status).toBe(204);
    expect(await mirrored(domain)).toBeUndefined();
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items).toContainEqual(
      expect.objectContaining({
        type: 'sso_enforcement_changed',
        subject: res.body.id,
        details: { from: 'report', to: 'off', reason: 'connection_deleted' },
      }),
    );
  });

  it('deleting a connection with enforcement off records no enforcement change', async () => {
    const { org, res, base } = await orgWithConnection();
    expect((await call('DELETE', base, { as: owner })).status).toBe(204);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    const types = events.body.items
      .filter((e: { subject: string }) => e.subject === res.body.id)
      .map((e: { type: string }) => e.type);
    expect(types).toContain('sso_connection_deleted');
    expect(types).not.toContain('sso_enforcement_changed');
  });
});

describe('GET …/sso-connections/{id}/enforcement-check (SPEC §12 no lockout, read first)', () => {
  it('counts who signed in without SSO, and says on may follow only after an SSO sign-in', async () => {
    const { domain, res, base } = await orgWithConnection();
    const connectionId: string = res.body.id;
    for (const [who, on] of [
      ['ann', daysAgo(2)],
      ['cy', daysAgo(40)],
    ] as const) {
      await env.db.send(
        new PutCommand({
          TableName: env.tableName,
          Item: { ...keys.nonSsoSignIn(connectionId, `${who}@${domain}`), on },
        }),
      );
    }
    const before = await call('GET', `${base}/enforcement-check`, { as: owner });
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toEqual({ lastSsoSignInOn: null, peopleWithoutSso: 1, canEnforce: false });

    const signIn = await hookSignIn({
      email: `sso-${uniqueSlug('u')}@${domain}`,
      emailVerified: true,
      connection: res.body.providerName,
    });
    expect(signIn.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const after = await call('GET', `${base}/enforcement-check`, { as: owner });
    expect(after.body).toEqual({ lastSsoSignInOn: today, peopleWithoutSso: 1, canEnforce: true });
    // The check changed nothing; the switch it foretold is then accepted.
    expect(
      (await call('GET', base.replace(/\/[^/]+$/, ''), { as: owner })).body.items[0],
    ).toMatchObject({
      enforcement: 'off',
    });
    const switched = await call('PATCH', base, { as: owner, body: { enforcement: 'on' } });
    expect(switched.status, JSON.stringify(switched.body)).toBe(200);
  });

  it('counts a sign-in through the HTTP hook without SSO on its domains, once a day per person', async () => {
    const { domain, base } = await orgWithConnection();
    const check = async () => (await call('GET', `${base}/enforcement-check`, { as: owner })).body;
    expect((await check()).peopleWithoutSso).toBe(0);
    const email = `pw-${uniqueSlug('u')}@${domain}`;
    for (let i = 0; i < 2; i++) {
      const signIn = await hookSignIn({ email, emailVerified: true });
      expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
    }
    expect((await check()).peopleWithoutSso).toBe(1);
    // An unproven sign-in writes nothing about the person (SPEC §8): it is not counted.
    const unproven = await hookSignIn({
      email: `un-${uniqueSlug('u')}@${domain}`,
      emailVerified: false,
    });
    expect(unproven.status).toBe(200);
    expect((await check()).peopleWithoutSso).toBe(1);
  });

  it('answers at company scope too', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    const res = await call('POST', `/v1/companies/${company.id}/sso-connections`, {
      as: owner,
      body: { name: 'Entra', idp: saml(), domains: [domain], defaultOrgId: company.org.id },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const check = await call(
      'GET',
      `/v1/companies/${company.id}/sso-connections/${res.body.id}/enforcement-check`,
      { as: owner },
    );
    expect(check.body).toEqual({ lastSsoSignInOn: null, peopleWithoutSso: 0, canEnforce: false });
  });

  it('answers 401 without a token, 404 to a stranger and for an unknown connection', async () => {
    const { org, base } = await orgWithConnection();
    expectProblem(await call('GET', `${base}/enforcement-check`), 401);
    expectProblem(await call('GET', `${base}/enforcement-check`, { as: stranger }), 404);
    expectProblem(
      await call('GET', `/v1/orgs/${org.id}/sso-connections/nope/enforcement-check`, {
        as: owner,
      }),
      404,
    );
  });
});
