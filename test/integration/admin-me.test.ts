/**
 * `GET /v1/me` (SPEC §9) through the local stack's HTTP API: the caller's memberships after each
 * way of joining, with how they joined and their teams, the companies they own and their pending
 * invitations; nobody else's.
 */
import { describe, expect, it } from 'vitest';
import { signHookBody } from '../../shared/sign-in/hook-signature.ts';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { api, localStack, signIn } from '../support/local-stack.ts';

const { env, call, owner, stranger, newOrg, newCompany, verifiedDomain } = adminSuite();
const enc = encodeURIComponent;

/** Signs in through the HTTP hook as an IdP would. */
async function hookSignIn(body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const res = await api('/v1/hooks/sign-in', {
    method: 'POST',
    body: raw,
    headers: {
      'provisio-signature': signHookBody(
        localStack().hookSecret,
        raw,
        Math.floor(Date.now() / 1000),
      ),
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

type MeMembership = { orgId: string; orgName: string; role: string; teams: string[]; via: string };
const me = async (as: string) => {
  const res = await call('GET', '/v1/me', { as });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    email: string;
    username: string | null;
    memberships: MeMembership[];
    companies: { id: string; name: string }[];
    invitations: { orgId: string; orgName: string; role: string; team: string | null }[];
    truncated: boolean;
  };
};
const membershipIn = async (as: string, orgId: string) =>
  (await me(as)).memberships.find((m) => m.orgId === orgId);

describe('GET /v1/me', () => {
  it('shows the creator, the companies they own, and nobody else’s orgs; 401 without a token', async () => {
    const org = await newOrg();
    const company = await newCompany({ name: `Holdings ${uniqueSlug('h')}` });
    const mine = await me(owner);
    expect(mine).toMatchObject({ email: owner, truncated: false });
    expect(mine.username).toEqual(expect.any(String));
    expect(mine.memberships).toContainEqual({
      orgId: org.id,
      orgName: org.name,
      role: 'owner',
      teams: [],
      via: 'creator',
    });
    expect(mine.companies).toContainEqual({ id: company.id, name: company.name });
    const theirs = await me(stranger);
    expect(theirs.memberships.map((m) => m.orgId)).not.toContain(org.id);
    expect(theirs.companies.map((c) => c.id)).not.toContain(company.id);
    expectProblem(await call('GET', '/v1/me'), 401);
  });

  it('shows a pending invitation, then the membership it became, and nothing once removed', async () => {
    const org = await newOrg();
    const person = await env.person('invitee');
    const invited = await call('POST', `/v1/orgs/${org.id}/invitations`, {
      as: owner,
      body: { email: person, team: 'eng' },
    });
    expect(invited.status).toBe(201);
    expect((await me(person)).invitations).toContainEqual(
      expect.objectContaining({ orgId: org.id, orgName: org.name, role: 'member', team: 'eng' }),
    );
    // The next sign-in accepts it (SPEC §3.5.0).
    await signIn({ email: person, password: 'Correct-horse-1' });
    expect(await membershipIn(person, org.id)).toEqual({
      orgId: org.id,
      orgName: org.name,
      role: 'member',
      teams: ['eng'],
      via: 'invitation',
    });
    expect((await me(person)).invitations).toEqual([]);
    const removed = await call('DELETE', `/v1/orgs/${org.id}/members/${enc(person)}`, {
      as: owner,
    });
    expect(removed.status).toBe(204);
    expect(await membershipIn(person, org.id)).toBeUndefined();
  });

  it('shows who joined by auto-provisioning, Just-in-Time and group mapping, with their teams', async () => {
    const org = await newOrg();
    // Auto-provisioning on a verified domain.
    const auto = await verifiedDomain(`orgs/${org.id}`);
    const enabled = await call('PUT', `/v1/orgs/${org.id}/domains/${auto}/auto-provisioning`, {
      as: owner,
      body: { enabled: true },
    });
    expect(enabled.status).toBe(200);
    const autoPerson = await env.person('auto', auto);
    expect(await membershipIn(autoPerson, org.id)).toMatchObject({ via: 'auto-provisioning' });

    // An SSO connection: JIT into the default team, and group mapping into a named team.
    const sso = await verifiedDomain(`orgs/${org.id}`);
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: owner,
      body: {
        name: 'Okta',
        idp: { type: 'saml', metadataUrl: 'https://idp.example.test/metadata' },
        domains: [sso],
        defaultTeam: 'staff',
      },
    });
    expect(created.status).toBe(201);
    const connection = created.body.providerName as string;
    const jit = `jit-${uniqueSlug('j')}@${sso}`;
    const mapped = `mapped-${uniqueSlug('g')}@${sso}`;
    await hookSignIn({ email: jit, emailVerified: true, connection });
    await hookSignIn({
      email: mapped,
      emailVerified: true,
      connection,
      groups: [`${org.name}:ops`],
    });
    // Each reads their own view with a token of the pool.
    await Promise.all([env.signInAs(jit), env.signInAs(mapped)]);
    expect(await membershipIn(jit, org.id)).toMatchObject({ via: 'jit', teams: ['staff'] });
    expect(await membershipIn(mapped, org.id)).toMatchObject({
      via: 'group-mapping',
      teams: ['ops'],
    });
  });
});
