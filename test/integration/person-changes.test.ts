/**
 * What follows from writing a person's items (`PersonChanges`): the person summary, which makes
 * a returning member's sign-in one BatchGet (SPEC §3.6), and the org-owner entries the notifier
 * reads. Every writer (the sign-in and the admin API) keeps both equal to the items.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSeats, summaryProblems } from '../../bench/invariants.ts';
import {
  createSignInFixture,
  identities,
  type SignInFixture,
} from '../../local/sign-in-fixtures.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createDeliveryStore } from '../../shared/adapters/dynamodb/delivery-store.ts';
import { accountItem, memberItem } from '../../shared/adapters/dynamodb/items.ts';
import { readSummary } from '../../shared/adapters/dynamodb/person-changes.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { DEFAULT_GROUPS_ATTRIBUTE } from '../../shared/config.ts';
import { fromCognitoAttributes } from '../../shared/sign-in/normalise.ts';
import { PlanConflictError, processSignIn } from '../../shared/sign-in/process.ts';
import { keys, primaryKey } from '../../shared/table/schema.ts';
import { type AdminApi, adminDeps, inProcessApi, uniqueSlug } from '../support/admin-harness.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;
let store: ReturnType<typeof createSignInStore>;
let admin: AdminApi;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  store = createSignInStore(fx.db, fx.tableName);
  admin = inProcessApi(adminDeps(fx.db, fx.tableName, []));
});

afterAll(async () => {
  await fx?.drop();
});

let n = 0;
const AT = '2026-01-01T00:00:00.000Z';
const uniqueDomain = () => `s${Date.now().toString(36)}${n++}.example`;

/** Signs in through the store (as the trigger does), returning the plan and the store's requests. */
async function signIn(email: string, extra: Record<string, string> = {}) {
  const before = { ...store.stats };
  const plan = await processSignIn(
    fromCognitoAttributes(
      { email, email_verified: 'true', name: 'Summary Person', ...extra },
      DEFAULT_GROUPS_ATTRIBUTE,
    ),
    store,
  );
  return {
    plan,
    requests: store.stats.requests - before.requests,
    roundTrips: store.stats.roundTrips - before.roundTrips,
    transactions: store.stats.transactions - before.transactions,
  };
}

/** The sort keys the person's summary mirrors. */
async function mirrored(email: string): Promise<string[]> {
  const out = await fx.db.send(
    new GetCommand({
      TableName: fx.tableName,
      Key: keys.personSummary(email),
      ConsistentRead: true,
    }),
  );
  return readSummary(out.Item)
    .map((i) => String(i.sk))
    .sort();
}

/** Whom the notifier mails about a new member of the org (its owners), sorted. */
async function mailedAbout(orgId: string): Promise<string[]> {
  const recipients = await createDeliveryStore(fx.db, fx.tableName).recipients({
    type: 'member_added',
    orgId,
    orgName: 'any',
    companyId: null,
    email: 'someone@example.com',
    name: null,
    details: {},
  });
  return [...recipients].sort();
}

/** The summary holds exactly the mirrored items (`ACCOUNT` once the person has signed in). */
async function expectMirror(email: string, expected: string[]): Promise<void> {
  expect(await summaryProblems(fx.db, fx.tableName, email)).toEqual([]);
  expect(await mirrored(email)).toEqual([...expected].sort());
}

describe('the sign-in', () => {
  it("reads a returning member's state in one BatchGet and writes nothing", async () => {
    const domain = uniqueDomain();
    const org = await fx.org(uniqueSlug('ret'));
    await fx.verifiedDomain(domain, { type: 'org', id: org.id }, { autoProvisioning: org });
    const first = await signIn(`back@${domain}`);
    expect(first.plan.joins).toHaveLength(1);
    // Round 1, the event counter of the org (SPEC §11: the events are numbered), the transaction.
    expect(first).toMatchObject({ roundTrips: 3, requests: 3, transactions: 1 });
    await expectMirror(`back@${domain}`, ['ACCOUNT', `MEMBER#${org.id}`]);

    const again = await signIn(`back@${domain}`);
    expect(again.plan.joins).toEqual([]);
    expect(again).toMatchObject({ roundTrips: 1, requests: 1, transactions: 0 });

    // A new name from the IdP changes the account and its mirror in one transaction.
    const renamed = await signIn(`back@${domain}`, { name: 'Renamed Person' });
    expect(renamed.transactions).toBe(1);
    await expectMirror(`back@${domain}`, ['ACCOUNT', `MEMBER#${org.id}`]);
    expect((await fx.person(`back@${domain}`)).account?.name).toBe('Renamed Person');
  });

  it("reads a company connection's group-named orgs with the person: no second round", async () => {
    const domain = uniqueDomain();
    const companyId = await fx.company(uniqueSlug('co'));
    const eng = await fx.org(uniqueSlug('eng'), { companyId });
    const ops = await fx.org(uniqueSlug('ops'), { companyId });
    const outside = await fx.org(uniqueSlug('outside'));
    const provider = `Company${n++}`;
    await fx.ssoDomain(domain, {
      providerName: provider,
      scope: { type: 'company', id: companyId },
      defaultOrg: eng,
    });
    const email = `mapped@${domain}`;
    const first = await signIn(email, {
      identities: identities(provider),
      [DEFAULT_GROUPS_ATTRIBUTE]: JSON.stringify([
        `${eng.name}:dev`,
        `${ops.name}:oncall`,
        `${outside.name}:x`,
      ]),
    });
    // One read of the person and the orgs, one of the events' counters, one transaction.
    expect(first).toMatchObject({ roundTrips: 3, requests: 3, transactions: 1 });
    // Only the company's orgs: the org outside it is ignored, as before.
    await expectMirror(email, [
      'ACCOUNT',
      `MEMBER#${eng.id}`,
      `MEMBER#${eng.id}#TEAM#dev`,
      `MEMBER#${ops.id}`,
      `MEMBER#${ops.id}#TEAM#oncall`,
    ]);
  });

  it('reads the event counters with round 2 when it runs: an accepted invitation in three round trips', async () => {
    const domain = uniqueDomain();
    const org = await fx.org(uniqueSlug('inv'));
    const email = `invited@${domain}`;
    await fx.invitation(email, org);
    const accepted = await signIn(email);
    expect(accepted.plan.joins).toHaveLength(1);
    // Round 1, round 2 (the invitation's org and its event counter), the transaction.
    expect(accepted).toMatchObject({ roundTrips: 3, requests: 3, transactions: 1 });
    const seqs = (await fx.events(org.id)).map((e) => e.seq).sort();
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('mirrors group-mapped joins and team removals', async () => {
    const domain = uniqueDomain();
    const main = await fx.org(uniqueSlug('main'));
    const provider = `Summary${n++}`;
    await fx.ssoDomain(domain, {
      providerName: provider,
      scope: { type: 'org', id: main.id },
      defaultOrg: main,
    });
    const email = `groups@${domain}`;
    const sso = (groups: string[]) =>
      signIn(email, {
        identities: identities(provider),
        [DEFAULT_GROUPS_ATTRIBUTE]: JSON.stringify(groups),
      });

    await sso([`${main.name}:dev`, `${main.name}:ops`]);
    await expectMirror(email, [
      'ACCOUNT',
      `MEMBER#${main.id}`,
      `MEMBER#${main.id}#TEAM#dev`,
      `MEMBER#${main.id}#TEAM#ops`,
    ]);
    await sso([`${main.name}:dev`]);
    await expectMirror(email, ['ACCOUNT', `MEMBER#${main.id}`, `MEMBER#${main.id}#TEAM#dev`]);
  });

  it('mirrors invitations accepted and seat-limit notices', async () => {
    const domain = uniqueDomain();
    const full = await fx.org(uniqueSlug('full'), { seatLimit: 0 });
    await fx.verifiedDomain(domain, { type: 'org', id: full.id }, { autoProvisioning: full });
    const other = await fx.org(uniqueSlug('other'));
    const email = `invited@${domain}`;
    await fx.invitation(email, other, { team: 'guests' });
    await expectMirror(email, [`INVITE#${other.id}`]);

    await signIn(email);
    const person = await fx.person(email);
    expect(person.invitations).toEqual([]);
    expect(person.notices).toEqual([expect.objectContaining({ orgId: full.id })]);
    await expectMirror(email, [
      'ACCOUNT',
      `MEMBER#${other.id}`,
      `MEMBER#${other.id}#TEAM#guests`,
      `NOTICE#${person.notices[0]!.kind}#${full.id}`,
    ]);
  });
});

describe('the admin API', () => {
  it('mirrors org creation, invitations, role changes and removals, and indexes the owners', async () => {
    const owner = `owner-${uniqueSlug('o')}@admin.example`;
    const invitee = `invitee-${uniqueSlug('i')}@admin.example`;
    const revoked = `revoked-${uniqueSlug('r')}@admin.example`;
    const created = await admin.call('POST', '/v1/orgs', {
      as: owner,
      body: { name: uniqueSlug('sum') },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const org = created.body as { id: string };
    await expectMirror(owner, [`MEMBER#${org.id}`]);

    const invite = (email: string) =>
      admin.call('POST', `/v1/orgs/${org.id}/invitations`, {
        as: owner,
        body: { email, team: 'eng' },
      });
    expect((await invite(invitee)).status).toBe(201);
    expect((await invite(revoked)).status).toBe(201);
    await expectMirror(invitee, [`INVITE#${org.id}`]);
    await expectMirror(revoked, [`INVITE#${org.id}`]);

    const revoke = await admin.call(
      'DELETE',
      `/v1/orgs/${org.id}/invitations/${encodeURIComponent(revoked)}`,
      { as: owner },
    );
    expect(revoke.status).toBe(204);
    await expectMirror(revoked, []);

    // The invitee accepts by signing in with the invited, verified address.
    await signIn(invitee);
    await expectMirror(invitee, ['ACCOUNT', `MEMBER#${org.id}`, `MEMBER#${org.id}#TEAM#eng`]);

    /** Who the notifier mails about the org, and that the owner entries match the owners. */
    const mailed = async () => {
      expect((await auditSeats(fx.db, fx.tableName, [org.id])).problems).toEqual([]);
      return mailedAbout(org.id);
    };
    expect(await mailed()).toEqual([owner]);

    const member = `/v1/orgs/${org.id}/members/${encodeURIComponent(invitee)}`;
    expect((await admin.call('PUT', member, { as: owner, body: { role: 'owner' } })).status).toBe(
      200,
    );
    await expectMirror(invitee, ['ACCOUNT', `MEMBER#${org.id}`, `MEMBER#${org.id}#TEAM#eng`]);
    expect(await mailed()).toEqual([invitee, owner].sort());
    const promoted = await signIn(invitee);
    expect(promoted.plan.joins).toEqual([]);
    expect((await fx.person(invitee)).memberships[0]?.role).toBe('owner');

    expect((await admin.call('PUT', member, { as: owner, body: { role: 'member' } })).status).toBe(
      200,
    );
    expect(await mailed()).toEqual([owner]);
    expect((await admin.call('PUT', member, { as: owner, body: { role: 'owner' } })).status).toBe(
      200,
    );
    expect((await admin.call('DELETE', member, { as: owner })).status).toBe(204);
    expect(await mailed()).toEqual([owner]);
    await expectMirror(invitee, ['ACCOUNT']);
    await expectMirror(owner, [`MEMBER#${org.id}`]);
  });
});

describe('owner entries', () => {
  it('are written when a sign-in accepts an invitation as owner, so the new owner is mailed', async () => {
    const org = await fx.org(uniqueSlug('own'));
    const email = `new-owner@${uniqueDomain()}`;
    await fx.invitation(email, org, { role: 'owner' });
    await signIn(email);
    expect((await fx.person(email)).memberships).toEqual([
      expect.objectContaining({ orgId: org.id, role: 'owner', via: 'invitation' }),
    ]);
    expect((await auditSeats(fx.db, fx.tableName, [org.id])).problems).toEqual([]);
    expect(await mailedAbout(org.id)).toEqual([email]);
  });
});

describe('removing a member', () => {
  it('is refused when the role changed since it was read, so the owner count and entries hold', async () => {
    const org = await fx.org(uniqueSlug('race'));
    const email = `promoted@${uniqueDomain()}`;
    await fx.member(email, org, { role: 'owner' });
    // Planned on a read that still saw a member: no owner count change, no owner entry removed.
    const removal = {
      kind: 'deleteMember' as const,
      orgId: org.id,
      email,
      role: 'member' as const,
    };
    await expect(createAdminStore(fx.db, fx.tableName).apply([removal])).rejects.toThrow(
      /changed meanwhile/,
    );
    expect((await fx.person(email)).memberships).toEqual([
      expect.objectContaining({ orgId: org.id, role: 'owner' }),
    ]);
    expect(await mailedAbout(org.id)).toEqual([email]);
  });
});

describe('the invariant check', () => {
  it('reports an item written without its summary', async () => {
    const org = await fx.org(uniqueSlug('drift'));
    const email = `drift@${uniqueDomain()}`;
    await fx.db.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: memberItem(email, {
          orgId: org.id,
          orgName: org.name,
          role: 'member',
          via: 'admin',
          joinedAt: new Date().toISOString(),
        }),
      }),
    );
    const problems = await summaryProblems(fx.db, fx.tableName, email);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(email);
  });
});

describe('a summary that lost a mirror', () => {
  it('gets it back from a role change instead of failing it (no field path into a missing map)', async () => {
    const owner = `owner-${uniqueSlug('o')}@admin.example`;
    const created = await admin.call('POST', '/v1/orgs', {
      as: owner,
      body: { name: uniqueSlug('lost') },
    });
    const org = created.body as { id: string };
    const member = `member-${uniqueSlug('m')}@admin.example`;
    await fx.member(member, { id: org.id, name: created.body.name }, { role: 'member' });
    // The member's summary without the membership's mirror (drift).
    await fx.db.send(
      new UpdateCommand({
        TableName: fx.tableName,
        Key: keys.personSummary(member),
        UpdateExpression: 'REMOVE #m',
        ExpressionAttributeNames: { '#m': `MEMBER#${org.id}` },
      }),
    );
    expect(await summaryProblems(fx.db, fx.tableName, member)).toHaveLength(1);
    const promoted = await admin.call(
      'PUT',
      `/v1/orgs/${org.id}/members/${encodeURIComponent(member)}`,
      { as: owner, body: { role: 'owner' } },
    );
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(await summaryProblems(fx.db, fx.tableName, member)).toEqual([]);
    expect((await auditSeats(fx.db, fx.tableName, [org.id])).problems).toEqual([]);
  });
});

describe('a summary that drifted from the items (the sign-in repairs it)', () => {
  async function ssoOrg(defaultTeam: string | null = null) {
    const domain = uniqueDomain();
    const org = await fx.org(uniqueSlug('drift'));
    const provider = `Drift${n++}`;
    await fx.ssoDomain(domain, {
      providerName: provider,
      scope: { type: 'org', id: org.id },
      defaultOrg: org,
      defaultTeam,
    });
    return { domain, org, provider };
  }

  it('an account item without a summary no longer locks an SSO person out', async () => {
    const { domain, org, provider } = await ssoOrg();
    const email = `nosummary@${domain}`;
    // The account exists, its summary does not: a plan decided on the summary creates the
    // account again, which its condition refuses, every time.
    await fx.db.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: accountItem({ email, username: 'nosummary1', name: 'No Summary', createdAt: AT }),
      }),
    );
    const result = await signIn(email, { identities: identities(provider) });
    expect(result.plan.outcome).toEqual({ decision: 'allow' });
    expect(result.plan.joins.map((j) => j.orgId)).toEqual([org.id]);
    expect((await fx.person(email)).account?.username).toBe('nosummary1');
    expect(await summaryProblems(fx.db, fx.tableName, email)).toEqual([]);
    // Repaired: the next sign-in reads the summary alone, and writes nothing.
    const again = await signIn(email, { identities: identities(provider) });
    expect(again).toMatchObject({ requests: 1, transactions: 0 });
  });

  it('a team place left by a removal that raced a sign-in is adopted when the person rejoins', async () => {
    const { domain, org, provider } = await ssoOrg('dev');
    const email = `orphan@${domain}`;
    await signIn(email, { identities: identities(provider) });
    // The membership goes, its team place stays (as when a removal raced a team add).
    await fx.db.send(
      new DeleteCommand({ TableName: fx.tableName, Key: primaryKey(keys.member(org.id, email)) }),
    );
    await fx.db.send(
      new UpdateCommand({
        TableName: fx.tableName,
        Key: keys.personSummary(email),
        UpdateExpression: 'REMOVE #m',
        ExpressionAttributeNames: { '#m': `MEMBER#${org.id}` },
      }),
    );
    const rejoined = await signIn(email, { identities: identities(provider) });
    expect(rejoined.plan.outcome).toEqual({ decision: 'allow' });
    expect(rejoined.plan.memberships).toEqual([
      { orgId: org.id, orgName: org.name, role: 'member', teams: ['dev'] },
    ]);
    expect(await summaryProblems(fx.db, fx.tableName, email)).toEqual([]);
  });

  it('a team is never added beside a membership removed since the read', async () => {
    const { domain, org, provider } = await ssoOrg();
    const email = `gone@${domain}`;
    await signIn(email, { identities: identities(provider) });
    const person = await fx.person(email);
    const state = await store.load(
      fromCognitoAttributes(
        { email, email_verified: 'true', identities: identities(provider) },
        DEFAULT_GROUPS_ATTRIBUTE,
      ),
      new Set(),
    );
    expect(state.person.memberships).toEqual(person.memberships);
    // Removed after the read; the plan adds a team in the org it read as joined.
    await createAdminStore(fx.db, fx.tableName).apply([
      { kind: 'deleteMember', orgId: org.id, email, role: 'member' },
      { kind: 'orgCounters', orgId: org.id, seats: 'member-removed' },
    ]);
    const plan = {
      ...(await processSignIn(
        fromCognitoAttributes(
          { email, email_verified: 'true', identities: identities(provider) },
          DEFAULT_GROUPS_ATTRIBUTE,
        ),
        { load: async () => state, apply: async () => undefined },
      )),
      teamAdds: [{ orgId: org.id, team: 'late', via: 'group-mapping' as const }],
    };
    await expect(
      store.apply(
        fromCognitoAttributes({ email, email_verified: 'true' }, DEFAULT_GROUPS_ATTRIBUTE),
        plan,
        new Date(),
        0,
      ),
    ).rejects.toBeInstanceOf(PlanConflictError);
    expect((await fx.person(email)).teamMemberships).toEqual([]);
  });
});
