/**
 * SCIM 2.0 (SPEC §10) over the local stack's HTTP API, as Okta and Microsoft Entra ID really
 * call it: their documented request sequences, the seat race, the token's reach, bad input
 * (never a 500, nothing written), and deprovisioning down to the next SSO sign-in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryAll } from '../../shared/adapters/dynamodb/query.ts';
import { keys } from '../../shared/table/schema.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { eventually, mailTo } from '../support/mail.ts';
import {
  oktaUser,
  PATCH_OP,
  SCIM_GROUP,
  SCIM_USER,
  type ScimSetup,
  scimSetup,
  ssoSignIn,
} from '../support/scim.ts';

const suite = adminSuite();
const { call, owner, env } = suite;

const emailAt = (domain: string, who = uniqueSlug('p')) => `${who}@${domain}`;

async function members(orgId: string) {
  const res = await call('GET', `/v1/orgs/${orgId}/members?limit=100`, { as: owner });
  expect(res.status).toBe(200);
  return res.body.items as { email: string; via: string; teams: string[]; role: string }[];
}

async function org(orgId: string) {
  const res = await call('GET', `/v1/orgs/${orgId}`, { as: owner });
  return res.body as { seatsUsed: number; seatLimit: number | null };
}

async function events(orgId: string) {
  const res = await call('GET', `/v1/orgs/${orgId}/events?limit=100`, { as: owner });
  return res.body.items as { type: string; subject: string; details: Record<string, unknown> }[];
}

/** Every item of the connection's SCIM partition: what a refused request must not change. */
async function scimItems(s: ScimSetup) {
  return queryAll(env.db, {
    TableName: env.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.scim(s.connectionId) },
    ConsistentRead: true,
  });
}

describe('discovery', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas as SCIM documents', async () => {
    const s = await scimSetup(suite);
    const config = await s.call('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toContain('application/scim+json');
    expect(config.body.patch.supported).toBe(true);
    expect(config.body.filter).toMatchObject({ supported: true, maxResults: 100 });
    const types = await s.call('GET', '/ResourceTypes');
    expect(types.body.Resources.map((r: { endpoint: string }) => r.endpoint)).toEqual([
      '/Users',
      '/Groups',
    ]);
    const schemas = await s.call('GET', '/Schemas');
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toContain(SCIM_USER);
    const one = await s.call('GET', `/Schemas/${SCIM_GROUP}`);
    expect(one.body.id).toBe(SCIM_GROUP);
  });
});

describe('Okta', () => {
  // https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
  it('create after a filter miss, PUT update, path-less deactivate, reactivate', async () => {
    const s = await scimSetup(suite);
    const email = emailAt(s.domain, 'ada.lovelace');
    const miss = await s.call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`,
    );
    expect(miss.status).toBe(200);
    expect(miss.body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await s.call('POST', '/Users', oktaUser(email));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ userName: email, active: true, id: expect.any(String) });
    expect(created.body.password).toBeUndefined();
    expect(created.headers.get('location')).toBe(`${s.baseUrl}/Users/${created.body.id}`);
    const id = created.body.id as string;
    expect(await members(s.org.id)).toContainEqual(
      expect.objectContaining({ email, via: 'scim', role: 'member' }),
    );
    expect(await events(s.org.id)).toContainEqual(
      expect.objectContaining({
        type: 'member_added',
        subject: email,
        details: expect.objectContaining({ via: 'scim' }),
      }),
    );
    // SPEC §4: the owners are told, through the outbox and the notifier.
    const told = await eventually(
      () => mailTo(owner),
      (mails) => mails.some((m) => (m.body.text ?? '').includes(`${email} was added`)),
    );
    expect(
      told.find((m) => (m.body.text ?? '').includes(`${email} was added`))?.body.text,
    ).toContain('SCIM provisioning from your identity provider');

    const hit = await s.call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${email.toUpperCase()}"`)}`,
    );
    expect(hit.body.totalResults).toBe(1);
    expect(hit.body.Resources[0].id).toBe(id);

    const put = await s.call('PUT', `/Users/${id}`, {
      ...oktaUser(email),
      id,
      name: { givenName: 'Ada', familyName: 'King' },
    });
    expect(put.status).toBe(200);
    expect(put.body.name).toMatchObject({ givenName: 'Ada', familyName: 'King' });

    const seatsBefore = (await org(s.org.id)).seatsUsed;
    const off = await s.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await members(s.org.id)).map((m) => m.email)).not.toContain(email);
    expect((await org(s.org.id)).seatsUsed).toBe(seatsBefore - 1);
    expect(await events(s.org.id)).toContainEqual(
      expect.objectContaining({ type: 'member_removed', subject: email }),
    );
    expect((await ssoSignIn(s.providerName, email)).status).toBe(403);

    const on = await s.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.status).toBe(200);
    expect((await members(s.org.id)).map((m) => m.email)).toContain(email);
    expect((await ssoSignIn(s.providerName, email)).status).toBe(200);
  });

  it('group push: create org:team, add and remove members, rename, delete', async () => {
    const s = await scimSetup(suite);
    const orgName = (await call('GET', `/v1/orgs/${s.org.id}`, { as: owner })).body.name as string;
    const [a, b] = [emailAt(s.domain), emailAt(s.domain)];
    const ua = (await s.call('POST', '/Users', oktaUser(a))).body.id as string;
    const ub = (await s.call('POST', '/Users', oktaUser(b))).body.id as string;

    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `${orgName}:dev`,
      members: [{ value: ua, display: a }],
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const gid = group.body.id as string;
    const teamsOf = async (email: string) =>
      (await members(s.org.id)).find((m) => m.email === email)?.teams ?? [];
    expect(await teamsOf(a)).toEqual(['dev']);

    const add = await s.call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ub, display: b }] }],
    });
    expect(add.status).toBe(204);
    expect(await teamsOf(b)).toEqual(['dev']);

    const remove = await s.call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${ua}"]` }],
    });
    expect(remove.status).toBe(204);
    expect(await teamsOf(a)).toEqual([]);
    expect((await members(s.org.id)).map((m) => m.email)).toContain(a);

    const rename = await s.call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: gid, displayName: `${orgName}:ops` } }],
    });
    expect(rename.status).toBe(204);
    expect(await teamsOf(b)).toEqual(['ops']);
    const got = await s.call('GET', `/Groups/${gid}`);
    expect(got.body.displayName).toBe(`${orgName}:ops`);

    expect((await s.call('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect(await teamsOf(b)).toEqual([]);
    expect((await s.call('GET', `/Groups/${gid}`)).status).toBe(404);

    const other = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: 'Everyone',
    });
    expect(other.status).toBe(201);
    expect((await members(s.org.id)).every((m) => m.teams.length === 0)).toBe(true);
  });
});

describe('group names', () => {
  it('are unique per connection: a rename onto a taken name is 409 and changes no team', async () => {
    const s = await scimSetup(suite);
    const orgName = (await call('GET', `/v1/orgs/${s.org.id}`, { as: owner })).body.name as string;
    const email = emailAt(s.domain);
    const uid = (await s.call('POST', '/Users', oktaUser(email))).body.id as string;
    const dev = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `${orgName}:dev`,
      members: [{ value: uid }],
    });
    expect(dev.status).toBe(201);
    const taken = await s.call('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'Ops' });
    expect(taken.status).toBe(201);
    const twice = await s.call('POST', '/Groups', { schemas: [SCIM_GROUP], displayName: 'ops' });
    expect(twice.status).toBe(409);
    expect(twice.body.scimType).toBe('uniqueness');
    const rename = await s.call('PATCH', `/Groups/${dev.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'displayName', value: 'OPS' }],
    });
    expect(rename.status).toBe(409);
    expect(rename.body.scimType).toBe('uniqueness');
    expect((await members(s.org.id)).find((m) => m.email === email)?.teams).toEqual(['dev']);
    expect((await s.call('GET', `/Groups/${dev.body.id}`)).body.displayName).toBe(`${orgName}:dev`);
  });
});

describe('Microsoft Entra ID', () => {
  // https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
  it('"Test connection": a random userName filter answers an empty list', async () => {
    const s = await scimSetup(suite);
    const res = await s.call(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "non-existent user 7b1d3c0e-0f1c-4b8e-a3c3"')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 0, Resources: [], startIndex: 1 });
  });

  it('capitalised ops, "False", dotted-key replace, members remove with a value array', async () => {
    const s = await scimSetup(suite);
    const email = emailAt(s.domain);
    const created = await s.call('POST', '/Users', {
      schemas: [SCIM_USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: uniqueSlug('ext'),
      userName: email,
      active: 'True',
      emails: [{ primary: true, type: 'work', value: email }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Grace Hopper', familyName: 'Hopper', givenName: 'Grace' },
      roles: [],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.active).toBe(true);
    const id = created.body.id as string;

    const dotted = await s.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Replace',
          value: {
            'name.givenName': 'Amazing',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'R&D',
          },
        },
        { op: 'Add', path: 'displayName', value: 'Amazing Grace' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
      ],
    });
    expect(dotted.status, JSON.stringify(dotted.body)).toBe(200);
    expect(dotted.body.name.givenName).toBe('Amazing');
    expect(dotted.body.displayName).toBe('Amazing Grace');
    expect(
      dotted.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].department,
    ).toBe('R&D');

    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      externalId: uniqueSlug('g'),
      displayName: 'Entra group',
      members: [{ value: id }],
    });
    expect(group.status).toBe(201);
    const removed = await s.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }],
    });
    expect(removed.status).toBe(204);
    expect((await s.call('GET', `/Groups/${group.body.id}`)).body.members ?? []).toEqual([]);

    const off = await s.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await members(s.org.id)).map((m) => m.email)).not.toContain(email);
  });
});

describe('lists', () => {
  it('pages stably by startIndex and count, and filters on any attribute', async () => {
    const s = await scimSetup(suite);
    const emails = Array.from({ length: 5 }, (_, i) => emailAt(s.domain, `page${i}`));
    for (const e of emails) expect((await s.call('POST', '/Users', oktaUser(e))).status).toBe(201);
    const seen: string[] = [];
    for (const startIndex of [1, 3, 5]) {
      const page = await s.call('GET', `/Users?startIndex=${startIndex}&count=2`);
      expect(page.body).toMatchObject({ totalResults: 5, startIndex });
      expect(page.body.itemsPerPage).toBe(startIndex === 5 ? 1 : 2);
      seen.push(...page.body.Resources.map((r: { userName: string }) => r.userName));
    }
    expect([...seen].sort()).toEqual([...emails].sort());
    const again = await s.call('GET', '/Users?startIndex=1&count=2');
    expect(again.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(
      seen.slice(0, 2),
    );
    const filtered = await s.call(
      'GET',
      `/Users?filter=${encodeURIComponent('emails[type eq "work" and value sw "page3"] or userName sw "PAGE4"')}&attributes=userName`,
    );
    expect(filtered.body.Resources.map((r: { userName: string }) => r.userName).sort()).toEqual(
      [emails[3], emails[4]].sort(),
    );
    expect(filtered.body.Resources[0].name).toBeUndefined();
  });
});

describe('seats', () => {
  it('10 concurrent creates race for 3 free seats: exactly 3 join, 7 get 409 and seat_limit_reached', async () => {
    // The owner holds one of 4 seats.
    const s = await scimSetup(suite, { seatLimit: 4 });
    const emails = Array.from({ length: 10 }, () => emailAt(s.domain));
    const results = await Promise.all(emails.map((e) => s.call('POST', '/Users', oktaUser(e))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({ status: '409', scimType: 'tooMany' });
    }
    expect((await org(s.org.id)).seatsUsed).toBe(4);
    expect((await members(s.org.id)).filter((m) => m.via === 'scim')).toHaveLength(3);
    const refused = (await events(s.org.id)).filter((e) => e.type === 'seat_limit_reached');
    expect(refused.length).toBe(7);
    const loser = emails.find((_, i) => results[i]!.status === 409)!;
    const mailed = await eventually(
      () => mailTo(owner),
      (mails) => mails.some((m) => m.subject.includes(`${loser} could not join`)),
    );
    expect(mailed.find((m) => m.subject.includes(`${loser} could not join`))?.body.text).toContain(
      'Your identity provider provisioned',
    );
    // Nothing of a refused create was kept: listing shows exactly the three.
    expect((await s.call('GET', '/Users')).body.totalResults).toBe(3);
  });

  it('deprovisioning frees the seat, and the next SSO sign-in is denied', async () => {
    const s = await scimSetup(suite, { seatLimit: 2 });
    const [a, b] = [emailAt(s.domain), emailAt(s.domain)];
    const ua = await s.call('POST', '/Users', oktaUser(a));
    expect(ua.status).toBe(201);
    expect((await ssoSignIn(s.providerName, a)).status).toBe(200);
    expect((await s.call('POST', '/Users', oktaUser(b))).status).toBe(409);
    // The client retries: still 409, recorded (and mailed) once per person and org a day (§4).
    expect((await s.call('POST', '/Users', oktaUser(b))).status).toBe(409);
    const refusals = (await events(s.org.id)).filter(
      (e) => e.type === 'seat_limit_reached' && e.subject === b,
    );
    expect(refusals).toHaveLength(1);
    expect((await s.call('DELETE', `/Users/${ua.body.id}`)).status).toBe(204);
    expect((await s.call('GET', `/Users/${ua.body.id}`)).status).toBe(404);
    expect((await ssoSignIn(s.providerName, a)).status).toBe(403);
    const again = await s.call('POST', '/Users', oktaUser(b));
    expect(again.status).toBe(201);
    expect((await org(s.org.id)).seatsUsed).toBe(2);
  });
});

describe('security and bad input', () => {
  it("another connection's token is 401 and returns no data; a revoked token is 401", async () => {
    const [s, t] = await Promise.all([scimSetup(suite), scimSetup(suite)]);
    await s.call('POST', '/Users', oktaUser(emailAt(s.domain)));
    for (const path of ['/Users', '/Groups', '/ServiceProviderConfig']) {
      const res = await s.call('GET', path, undefined, t.token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '401',
        detail: expect.any(String),
      });
    }
    expect((await s.call('GET', '/Users', undefined, `${s.token}x`)).status).toBe(401);
    expect((await s.call('GET', '/Users', undefined, '')).status).toBe(401);
    const revoke = await call(
      'DELETE',
      `/v1/${s.scope}/sso-connections/${s.connectionId}/scim-token`,
      {
        as: owner,
      },
    );
    expect(revoke.status).toBe(204);
    expect((await s.call('GET', '/Users')).status).toBe(401);
    // Someone else's connection: no token route for them.
    const stolen = await call(
      'POST',
      `/v1/${s.scope}/sso-connections/${s.connectionId}/scim-token`,
      {
        as: suite.stranger,
      },
    );
    expect(stolen.status).toBe(404);
  });

  it('a user of another domain is 400 and nothing is written', async () => {
    const s = await scimSetup(suite);
    const before = await scimItems(s);
    const res = await s.call('POST', '/Users', oktaUser(emailAt('elsewhere.example.test')));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(await scimItems(s)).toEqual(before);
  });

  it('fuzzed bodies and filters: never a 500, nothing written on a 4xx', async () => {
    const s = await scimSetup(suite);
    const seed = await s.call('POST', '/Users', oktaUser(emailAt(s.domain)));
    const id = seed.body.id as string;
    const before = await scimItems(s);
    const json = fc.oneof(
      fc.json(),
      fc.constantFrom(
        '{"userName": 5}',
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"move"}]}',
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"id","value":"x"}]}',
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[type eq \\"work\\"","value":"x"}]}',
        '{"userName":"x@elsewhere.test","emails":"nope"}',
        'not json',
      ),
    );
    const filter = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'userName eq',
        'userName eq "a" and',
        '(userName eq "a"',
        'emails[type eq "work"',
        'meta.created gt "not a date"',
        'active gt true',
        'userName xx "a"',
      ),
    );
    await fc.assert(
      fc.asyncProperty(json, filter, async (body, f) => {
        const responses = await Promise.all([
          s.call('POST', '/Users', body),
          s.call('PUT', `/Users/${id}`, body),
          s.call('PATCH', `/Users/${id}`, body),
          s.call('POST', '/Groups', body),
          s.call('GET', `/Users?filter=${encodeURIComponent(f)}`),
        ]);
        for (const r of responses) {
          expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
          if (r.status >= 400)
            expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
        }
        // A fuzzed body that happens to be a valid change is possible in principle; none of
        // these is, so the partition is as it was.
        expect(responses.slice(0, 4).every((r) => r.status >= 400)).toBe(true);
      }),
      { numRuns: 25 },
    );
    expect(await scimItems(s)).toEqual(before);
  });
});
