/**
 * SPEC §10 beyond the SCIM protocol, over the local stack: SCIM deactivation holds at every
 * door of the connection's scope (admin API, `orgs` claim, sign-in hook) and suspends an org's
 * last owner instead of orphaning the org; the connection's current verified domains bound
 * every SCIM effect; turning `scim` off revokes the token.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { preTokenEvent } from '../../local/tokens.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, uniqueDomain } from '../support/admin-suite.ts';
import { lambdaClient } from '../support/local-stack.ts';
import { eventually, mailTo } from '../support/mail.ts';
import {
  oktaUser,
  PATCH_OP,
  SCIM_GROUP,
  type ScimSetup,
  scimClient,
  scimSetup,
  ssoSignIn,
} from '../support/scim.ts';

const require = createRequire(import.meta.url);
const lambdaSdk = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
const suite = adminSuite();
const { call, owner, stranger, env, dns, local } = suite;
const lambda = lambdaClient();
afterAll(() => lambda.destroy());

type Member = { email: string; role: string; teams: string[]; suspended?: boolean };

async function members(orgId: string, as = owner): Promise<Member[]> {
  const res = await call('GET', `/v1/orgs/${orgId}/members?limit=100`, { as });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as Member[];
}

async function events(orgId: string, as = owner) {
  const res = await call('GET', `/v1/orgs/${orgId}/events?limit=100`, { as });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { type: string; subject: string; details: Record<string, unknown> }[];
}

/** The `orgs` claim the pre-token trigger adds to a password user's tokens (SPEC §9). */
async function orgsClaim(email: string): Promise<{ id: string; role: string }[]> {
  const out = await lambda.send(
    new lambdaSdk.InvokeCommand({
      FunctionName: functionSpecs.preToken.localName,
      Payload: Buffer.from(JSON.stringify(preTokenEvent({ email, email_verified: 'true' }))),
    }),
  );
  expect(out.FunctionError).toBeUndefined();
  const result = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
  const details = result.response.claimsAndScopeOverrideDetails;
  return details?.idTokenGeneration.claimsToAddOrOverride.orgs ?? [];
}

const deactivate = (s: ScimSetup, id: string) =>
  s.call('PATCH', `/Users/${id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', value: { active: false } }],
  });

const activate = (s: ScimSetup, id: string) =>
  s.call('PATCH', `/Users/${id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', value: { active: true } }],
  });

async function createUser(s: ScimSetup, email: string, extra: Record<string, unknown> = {}) {
  const res = await s.call('POST', '/Users', oktaUser(email, extra));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/**
 * A SCIM user who is the last owner of the default org of a company-scoped connection, whose
 * company `owner` still owns; `person` has a password token.
 */
async function lastOwnerSetup() {
  const s = await scimSetup(suite, { company: true });
  const person = `boss-${uniqueSlug('b')}@${s.domain}`;
  await env.signInAs(person);
  const id = await createUser(s, person);
  const promote = await call('PUT', `/v1/orgs/${s.org.id}/members/${encodeURIComponent(person)}`, {
    as: owner,
    body: { role: 'owner' },
  });
  expect(promote.status, JSON.stringify(promote.body)).toBe(200);
  const demote = await call('PUT', `/v1/orgs/${s.org.id}/members/${encodeURIComponent(owner)}`, {
    as: owner,
    body: { role: 'member' },
  });
  expect(demote.status, JSON.stringify(demote.body)).toBe(200);
  expect((await call('GET', `/v1/orgs/${s.org.id}`, { as: person })).status).toBe(200);
  expect((await orgsClaim(person)).map((o) => o.id)).toContain(s.org.id);
  return { s, person, id };
}

describe('scim off', () => {
  it('turning scim off revokes the token: turned on again, the old token is 401 until a new one is made', async () => {
    const s = await scimSetup(suite);
    expect((await s.call('GET', '/Users')).status).toBe(200);
    const path = `/v1/${s.scope}/sso-connections/${s.connectionId}`;
    const off = await call('PATCH', path, { as: owner, body: { scim: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const on = await call('PATCH', path, { as: owner, body: { scim: true } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    const old = await s.call('GET', '/Users');
    expect(old.status).toBe(401);
    const fresh = await call('POST', `${path}/scim-token`, { as: owner });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(201);
    const client = scimClient(fresh.body.baseUrl, fresh.body.token);
    expect((await client.call('GET', '/Users')).status).toBe(200);
    expect((await s.call('GET', '/Users')).status).toBe(401);
  });
});

describe("the connection's domains bound every effect", () => {
  it('a user whose domain left the connection (verified by another tenant since) gains no membership or team, and is reported inactive', async () => {
    const s = await scimSetup(suite);
    const path = `/v1/${s.scope}/sso-connections/${s.connectionId}`;
    // acquired.example: attached while the users are created, then removed and verified by a stranger.
    const acquired = await suite.verifiedDomain(s.scope);
    const attach = await call('PATCH', path, {
      as: owner,
      body: { domains: [s.domain, acquired] },
    });
    expect(attach.status, JSON.stringify(attach.body)).toBe(200);
    const member = `m-${uniqueSlug('m')}@${acquired}`;
    const sleeper = `s-${uniqueSlug('s')}@${acquired}`;
    const memberId = await createUser(s, member);
    const sleeperId = await createUser(s, sleeper, { active: false });
    const removed = await call('DELETE', `/v1/${s.scope}/domains/${encodeURIComponent(acquired)}`, {
      as: owner,
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);
    const other = await suite.newOrg({ as: stranger });
    const claimed = await call('POST', `/v1/orgs/${other.id}/domains`, {
      as: stranger,
      body: { domain: acquired },
    });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(201);
    dns.setTxt(claimed.body.txtRecord.name, [claimed.body.txtRecord.value]);
    const verified = await local.call(
      'POST',
      `/v1/orgs/${other.id}/domains/${encodeURIComponent(acquired)}/verify`,
      { as: stranger },
    );
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);

    // A group push naming both changes nothing for them.
    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `${s.org.name}:dev`,
      members: [{ value: memberId }, { value: sleeperId }],
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    // Nor does a PATCH adding them to another group, nor activation by PATCH or PUT.
    const ops = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `${s.org.name}:ops`,
    });
    expect(ops.status).toBe(201);
    const add = await s.call('PATCH', `/Groups/${ops.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: memberId }] }],
    });
    expect(add.status, JSON.stringify(add.body)).toBe(204);
    const patched = await activate(s, sleeperId);
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.active).toBe(false);
    const put = await s.call('PUT', `/Users/${sleeperId}`, {
      ...oktaUser(sleeper),
      id: sleeperId,
      active: true,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.active).toBe(false);

    const now = await members(s.org.id);
    expect(now.find((m) => m.email === sleeper)).toBeUndefined();
    expect(now.find((m) => m.email === member)?.teams).toEqual([]);
    for (const id of [memberId, sleeperId]) {
      expect((await s.call('GET', `/Users/${id}`)).body.active).toBe(false);
    }
    const listed = await s.call('GET', `/Users?filter=${encodeURIComponent('active eq true')}`);
    expect(listed.status).toBe(200);
    expect(listed.body.Resources.map((u: { id: string }) => u.id)).not.toContain(memberId);
    // It can still be deactivated: its memberships in scope go.
    expect((await deactivate(s, memberId)).status).toBe(200);
    expect((await members(s.org.id)).find((m) => m.email === member)).toBeUndefined();
  });
});

describe('deactivation holds at every door of the scope', () => {
  it("suspends a deactivated last owner: 404 at the admin API, no orgs claim nor hook membership, owners mailed; a company owner's PUT role owner restores", async () => {
    const { s, person, id } = await lastOwnerSetup();
    const gone = await deactivate(s, id);
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);

    expect(await members(s.org.id)).toContainEqual(
      expect.objectContaining({ email: person, role: 'owner', suspended: true }),
    );
    expect((await call('GET', `/v1/orgs/${s.org.id}`, { as: person })).status).toBe(404);
    expect((await call('GET', `/v1/orgs/${s.org.id}/members`, { as: person })).status).toBe(404);
    expect((await orgsClaim(person)).map((o) => o.id)).not.toContain(s.org.id);
    const me = await call('GET', '/v1/me', { as: person });
    expect(me.status).toBe(200);
    const hook = await ssoSignIn(s.providerName, person);
    expect(JSON.stringify(hook.body)).not.toContain(s.org.id);
    expect(await events(s.org.id)).toContainEqual(
      expect.objectContaining({
        type: 'member_suspended',
        subject: person,
        details: expect.objectContaining({ via: 'scim', connectionId: s.connectionId }),
      }),
    );
    // The company's owner is told (the suspended owner counts as no owner).
    await eventually(
      () => mailTo(owner),
      (mails) =>
        mails.some(
          (m) => (m.subject ?? '').includes(person) && (m.body.text ?? '').includes('suspended'),
        ),
    );
    // Counts as no owner: a new owner is the org's only one.
    expect((await call('GET', `/v1/orgs/${s.org.id}`, { as: owner })).status).toBe(200);
    const asMember = await call(
      'PUT',
      `/v1/orgs/${s.org.id}/members/${encodeURIComponent(person)}`,
      { as: owner, body: { role: 'member' } },
    );
    expect(asMember.status).toBe(409);

    const restored = await call(
      'PUT',
      `/v1/orgs/${s.org.id}/members/${encodeURIComponent(person)}`,
      { as: owner, body: { role: 'owner' } },
    );
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.suspended).toBeUndefined();
    expect((await members(s.org.id)).find((m) => m.email === person)).toEqual(
      expect.not.objectContaining({ suspended: true }),
    );
    expect((await call('GET', `/v1/orgs/${s.org.id}`, { as: person })).status).toBe(200);
    expect((await orgsClaim(person)).map((o) => o.id)).toContain(s.org.id);
    // The last owner again: the company owner may not demote them.
    const demote = await call('PUT', `/v1/orgs/${s.org.id}/members/${encodeURIComponent(person)}`, {
      as: owner,
      body: { role: 'member' },
    });
    expect(demote.status).toBe(409);
    expect(await events(s.org.id)).toContainEqual(
      expect.objectContaining({ type: 'member_restored', subject: person }),
    );
  });

  it("the IdP's reactivation restores a suspended owner and lifts the deactivation", async () => {
    const { s, person, id } = await lastOwnerSetup();
    expect((await deactivate(s, id)).status).toBe(200);
    expect((await ssoSignIn(s.providerName, person)).status).toBe(403);
    const back = await activate(s, id);
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.active).toBe(true);
    const now = (await members(s.org.id)).find((m) => m.email === person);
    expect(now).toMatchObject({ role: 'owner' });
    expect(now?.suspended).toBeUndefined();
    expect((await call('GET', `/v1/orgs/${s.org.id}`, { as: person })).status).toBe(200);
    expect((await orgsClaim(person)).map((o) => o.id)).toContain(s.org.id);
    expect((await ssoSignIn(s.providerName, person)).status).toBe(200);
    // The suspended owner counted as none; restored, they count again: the org has one owner.
    const demote = await call('PUT', `/v1/orgs/${s.org.id}/members/${encodeURIComponent(person)}`, {
      as: owner,
      body: { role: 'member' },
    });
    expect(demote.status).toBe(409);
  });

  it('a company owner SCIM deactivated by the company connection gets 404 for the company and its orgs, and no orgs claim', async () => {
    const domain = uniqueDomain();
    const boss = `boss-${uniqueSlug('c')}@${domain}`;
    await env.signInAs(boss);
    const company = await suite.newCompanyWithOrg(boss);
    const scope = `companies/${company.id}`;
    const added = await suite.addDomain(scope, domain, boss);
    dns.setTxt(added.txtRecord.name, [added.txtRecord.value]);
    const verified = await local.call(
      'POST',
      `/v1/${scope}/domains/${encodeURIComponent(domain)}/verify`,
      { as: boss },
    );
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const conn = await call('POST', `/v1/${scope}/sso-connections`, {
      as: boss,
      body: {
        name: 'Okta',
        idp: { type: 'saml', metadataUrl: 'https://idp.example.test/app/metadata' },
        domains: [domain],
        defaultOrgId: company.org.id,
        jit: false,
        scim: true,
      },
    });
    expect(conn.status, JSON.stringify(conn.body)).toBe(201);
    const tokenRes = await call('POST', `/v1/${scope}/sso-connections/${conn.body.id}/scim-token`, {
      as: boss,
    });
    expect(tokenRes.status).toBe(201);
    const s = {
      ...scimClient(tokenRes.body.baseUrl, tokenRes.body.token),
      connectionId: conn.body.id,
      providerName: conn.body.providerName,
      domain,
      org: company.org,
      scope,
    } as ScimSetup;
    const id = await createUser(s, boss);
    expect((await call('GET', `/v1/companies/${company.id}`, { as: boss })).status).toBe(200);

    expect((await deactivate(s, id)).status).toBe(200);
    expect((await call('GET', `/v1/companies/${company.id}`, { as: boss })).status).toBe(404);
    expect((await call('GET', `/v1/orgs/${company.org.id}`, { as: boss })).status).toBe(404);
    expect((await call('GET', `/v1/${scope}/sso-connections`, { as: boss })).status).toBe(404);
    expect((await orgsClaim(boss)).map((o) => o.id)).not.toContain(company.org.id);

    // The IdP's reactivation opens the doors again.
    expect((await activate(s, id)).status).toBe(200);
    expect((await call('GET', `/v1/companies/${company.id}`, { as: boss })).status).toBe(200);
    expect((await call('GET', `/v1/orgs/${company.org.id}`, { as: boss })).status).toBe(200);
    expect((await orgsClaim(boss)).map((o) => o.id)).toContain(company.org.id);
  });
});
