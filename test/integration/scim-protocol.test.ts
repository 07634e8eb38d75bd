/**
 * SCIM 2.0 protocol details and bounds (SPEC §10) over the local stack's HTTP API: `.search`,
 * `remove` without a filter, Entra's `emails[type eq "work"].value eq` filter, empty answers to
 * filters however long, malformed paths, body / operation / filter bounds, a 1,000-operation
 * group PATCH, and team names taken from groups.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { scimUserItem } from '../../shared/adapters/dynamodb/items.ts';
import { queryAll } from '../../shared/adapters/dynamodb/query.ts';
import type { ScimUserRecord } from '../../shared/model/scim.ts';
import { keys } from '../../shared/table/schema.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import {
  oktaUser,
  PATCH_OP,
  SCIM_GROUP,
  type ScimSetup,
  scimClient,
  scimSetup,
} from '../support/scim.ts';

const suite = adminSuite();
const { call, owner, env } = suite;

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const emailAt = (domain: string, who = uniqueSlug('p')) => `${who}@${domain}`;

async function members(orgId: string) {
  const res = await call('GET', `/v1/orgs/${orgId}/members?limit=100`, { as: owner });
  expect(res.status).toBe(200);
  return res.body.items as { email: string; teams: string[] }[];
}

async function orgName(s: ScimSetup) {
  return (await call('GET', `/v1/orgs/${s.org.id}`, { as: owner })).body.name as string;
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

async function newUser(s: ScimSetup, email = emailAt(s.domain)) {
  const res = await s.call('POST', '/Users', oktaUser(email));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, email };
}

describe('POST .search (RFC 7644 §3.4.3)', () => {
  it('searches users, groups, and both at the root, with paging and projection', async () => {
    const s = await scimSetup(suite);
    const a = await newUser(s);
    const b = await newUser(s);
    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: 'Everyone',
      members: [{ value: a.id }],
    });
    expect(group.status).toBe(201);

    const users = await s.call('POST', '/Users/.search', {
      schemas: [SEARCH],
      filter: `userName eq "${b.email}"`,
      attributes: ['userName'],
    });
    expect(users.status, JSON.stringify(users.body)).toBe(200);
    expect(users.headers.get('content-type')).toContain('application/scim+json');
    expect(users.body).toMatchObject({ totalResults: 1, startIndex: 1 });
    expect(users.body.Resources[0]).toMatchObject({ id: b.id, userName: b.email });
    expect(users.body.Resources[0].emails).toBeUndefined();

    const paged = await s.call('POST', '/users/.search', {
      schemas: [SEARCH],
      startIndex: 2,
      count: 1,
    });
    expect(paged.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });

    const groups = await s.call('POST', '/Groups/.search', {
      schemas: [SEARCH],
      filter: 'displayName eq "everyone"',
      excludedAttributes: ['members'],
    });
    expect(groups.body.totalResults).toBe(1);
    expect(groups.body.Resources[0].members).toBeUndefined();

    const root = await s.call('POST', '/.search', {
      schemas: [SEARCH],
      filter: `displayName eq "Everyone" or userName eq "${a.email}"`,
    });
    expect(root.status).toBe(200);
    expect(root.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual(
      [a.id, group.body.id].sort(),
    );

    const bad = await s.call('POST', '/.search', { filter: 'userName pr' });
    expect(bad).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    expect((await s.call('GET', '/Users/.search')).status).toBe(405);
    // Without a token, nothing.
    expect((await s.call('POST', '/.search', { schemas: [SEARCH] }, 'nope')).status).toBe(401);
  });
});

describe('remove without a filter', () => {
  it('remove of members removes every member, and their team memberships', async () => {
    const s = await scimSetup(suite);
    const name = await orgName(s);
    const [a, b] = [await newUser(s), await newUser(s)];
    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `${name}:dev`,
      members: [{ value: a.id }, { value: b.id }],
    });
    expect(group.status).toBe(201);
    const removed = await s.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: 'members' }],
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);
    expect((await s.call('GET', `/Groups/${group.body.id}`)).body.members ?? []).toEqual([]);
    const teams = (await members(s.org.id)).filter((m) => [a.email, b.email].includes(m.email));
    expect(teams.map((m) => m.teams)).toEqual([[], []]);
  });

  it('remove of emails removes every email; remove of active deactivates the user', async () => {
    const s = await scimSetup(suite);
    const a = await newUser(s);
    const noEmails = await s.call('PATCH', `/Users/${a.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: 'emails' }],
    });
    expect(noEmails.status).toBe(200);
    expect(noEmails.body.emails).toBeUndefined();
    expect((await members(s.org.id)).map((m) => m.email)).toContain(a.email);

    const inactive = await s.call('PATCH', `/Users/${a.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'active' }],
    });
    expect(inactive.status, JSON.stringify(inactive.body)).toBe(200);
    expect(inactive.body.active).toBe(false);
    expect((await members(s.org.id)).map((m) => m.email)).not.toContain(a.email);
  });
});

describe('filters', () => {
  it('Entra\'s emails[type eq "work"].value eq finds the user with that work email', async () => {
    const s = await scimSetup(suite);
    const a = await newUser(s);
    const b = await s.call(
      'POST',
      '/Users',
      oktaUser(emailAt(s.domain), {
        emails: [
          { value: a.email.toUpperCase(), type: 'home' },
          { value: emailAt(s.domain), type: 'work', primary: true },
        ],
      }),
    );
    expect(b.status).toBe(201);
    const filter = `emails[type eq "work"].value eq "${a.email.toUpperCase()}"`;
    const found = await s.call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([a.id]);
  });

  it('a userName eq of any length up to the bound is 200 with totalResults 0', async () => {
    const s = await scimSetup(suite);
    await newUser(s);
    for (const length of [1_024, 1_025, 2_048, 9_000]) {
      const filter = `userName eq "${'a'.repeat(length)}@${s.domain}"`;
      const res = await s.call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status, `${length}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toMatchObject({ totalResults: 0, Resources: [] });
    }
  });

  it('a filter over 10,000 characters is 400 invalidFilter', async () => {
    const s = await scimSetup(suite);
    const filter = `userName eq "${'a'.repeat(10_000)}"`;
    const res = await s.call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(res).toMatchObject({
      status: 400,
      body: { schemas: [ERROR], scimType: 'invalidFilter' },
    });
  });
});

describe('malformed paths', () => {
  it('a malformed percent-escape is a 400 SCIM error, with or without a token', async () => {
    const s = await scimSetup(suite);
    const before = await scimItems(s);
    for (const path of ['/Users/%E0%A4%A', '/Groups/%', '/%C0%AF']) {
      for (const token of [s.token, undefined, 'wrong']) {
        const res = await fetch(`${s.baseUrl}${path}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        expect(res.status, `${path} ${token}`).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/scim+json');
        expect(await res.json()).toMatchObject({ schemas: [ERROR], status: '400' });
      }
    }
    const connection = s.baseUrl.slice(0, s.baseUrl.lastIndexOf('/'));
    const res = await fetch(`${connection}/%E0%A4%A/Users`);
    expect(res.status).toBe(400);
    expect(await scimItems(s)).toEqual(before);
  });
});

describe('bounds', () => {
  it('a body over 1 MiB is 413 and writes nothing; a PATCH of 1,001 operations is 400 tooMany', async () => {
    const s = await scimSetup(suite);
    const a = await newUser(s);
    const before = await scimItems(s);
    const big = oktaUser(emailAt(s.domain), { nickName: 'x'.repeat(1024 * 1024) });
    const tooLarge = await s.call('POST', '/Users', big);
    expect(tooLarge).toMatchObject({ status: 413, body: { schemas: [ERROR], status: '413' } });
    const patch = await s.call('PATCH', `/Users/${a.id}`, {
      schemas: [PATCH_OP],
      Operations: Array.from({ length: 1_001 }, (_, i) => ({
        op: 'replace',
        path: 'nickName',
        value: `n${i}`,
      })),
    });
    expect(patch).toMatchObject({ status: 400, body: { scimType: 'tooMany' } });
    expect(await scimItems(s)).toEqual(before);
  });

  it('a group PATCH of 1,000 member adds completes and keeps every member once', async () => {
    const s = await scimSetup(suite);
    // The users are put straight into the table: only the group PATCH is under test here.
    const ids = Array.from({ length: 1_000 }, (_, i) => `bulk-${i}-${uniqueSlug('u')}`);
    const at = new Date().toISOString();
    const records: ScimUserRecord[] = ids.map((id) => ({
      id,
      userName: `${id}@${s.domain}`,
      externalId: null,
      email: `${id}@${s.domain}`,
      active: true,
      attributes: { userName: `${id}@${s.domain}`, active: true },
      created: at,
      lastModified: at,
      version: 1,
    }));
    for (let i = 0; i < records.length; i += 25) {
      await env.db.send(
        new BatchWriteCommand({
          RequestItems: {
            [env.tableName]: records
              .slice(i, i + 25)
              .map((u) => ({ PutRequest: { Item: scimUserItem(s.connectionId, u) } })),
          },
        }),
      );
    }
    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: 'Bulk',
      members: [{ value: ids[0] }],
    });
    expect(group.status).toBe(201);
    const patch = await s.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: ids.map((value) => ({ op: 'add', path: 'members', value: [{ value }] })),
    });
    expect(patch.status, JSON.stringify(patch.body)).toBe(204);
    const got = await s.call('GET', `/Groups/${group.body.id}`);
    expect(got.body.members.map((m: { value: string }) => m.value)).toEqual(ids);
    // And removing them all by value, in 1,000 operations.
    const removed = await s.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: ids.map((value) => ({ op: 'remove', path: `members[value eq "${value}"]` })),
    });
    expect(removed.status).toBe(204);
    expect((await s.call('GET', `/Groups/${group.body.id}`)).body.members ?? []).toEqual([]);
  });
});

describe('team names taken from groups', () => {
  it('must be team slugs: 400 invalidValue and nothing written, retried or not', async () => {
    const s = await scimSetup(suite);
    const name = await orgName(s);
    const a = await newUser(s);
    const before = await scimItems(s);
    for (const team of ['<img src=x onerror=alert(1)>', 'admins#TEAM#x', 't'.repeat(1_000)]) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await s.call('POST', '/Groups', {
          schemas: [SCIM_GROUP],
          displayName: `${name}:${team}`,
          members: [{ value: a.id }],
        });
        expect(res, team.slice(0, 20)).toMatchObject({
          status: 400,
          body: { schemas: [ERROR], scimType: 'invalidValue' },
        });
      }
    }
    expect(await scimItems(s)).toEqual(before);
    expect((await members(s.org.id)).find((m) => m.email === a.email)?.teams).toEqual([]);

    // A rename onto one is refused the same way; a slug in capitals is its lower case.
    const group = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: `${name}:Dev`,
      members: [{ value: a.id }],
    });
    expect(group.status).toBe(201);
    expect((await members(s.org.id)).find((m) => m.email === a.email)?.teams).toEqual(['dev']);
    const rename = await s.call('PUT', `/Groups/${group.body.id}`, {
      schemas: [SCIM_GROUP],
      displayName: `${name}:dev team`,
      members: [{ value: a.id }],
    });
    expect(rename).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect((await s.call('GET', `/Groups/${group.body.id}`)).body.displayName).toBe(`${name}:Dev`);
  });

  it('a name whose org is outside the scope is a plain SCIM group', async () => {
    const s = await scimSetup(suite);
    const res = await s.call('POST', '/Groups', {
      schemas: [SCIM_GROUP],
      displayName: 'elsewhere:<b>not a team</b>',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Still usable through a fresh client: the token is unchanged.
    const again = scimClient(s.baseUrl, s.token);
    expect((await again.call('GET', `/Groups/${res.body.id}`)).status).toBe(200);
  });
});
