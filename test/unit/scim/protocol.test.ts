/**
 * SPEC §10's protocol details and bounds, on the pure SCIM core and on the router and service
 * over in-memory ports (no network): `.search` bodies, Entra's `emails[…].value eq` filter,
 * `remove` without a filter, the body / operation / filter bounds, malformed paths, team names
 * taken from groups, and a group PATCH whose reads follow the request rather than the group.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ScimGroupRecord, ScimUserRecord } from '../../../shared/model/scim.ts';
import type { AdminStore, ConnectionRecord, Write } from '../../../shared/model/writes.ts';
import type { ScimDeps, ScimStore } from '../../../shared/scim/model.ts';
import { MAX_FILTER_LENGTH, matches, parseFilter } from '../../../shared/scim/protocol/filter.ts';
import { applyPatch, MAX_PATCH_OPERATIONS } from '../../../shared/scim/protocol/patch.ts';
import { parseSearchRequest } from '../../../shared/scim/protocol/query.ts';
import {
  type GroupAttributes,
  normaliseGroup,
  normaliseUser,
  type UserAttributes,
} from '../../../shared/scim/protocol/resource.ts';
import { serviceProviderConfig } from '../../../shared/scim/protocol/schema.ts';
import type { ScimCtx } from '../../../shared/scim/provisioning.ts';
import { MAX_BODY_BYTES, routeScim } from '../../../shared/scim/routes.ts';
import * as service from '../../../shared/scim/service.ts';
import { hashScimToken, newScimToken } from '../../../shared/sso/scim-token.ts';
import { patchBody, scimErrorOf } from './support.ts';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describe('Entra\'s emails[type eq "work"].value eq filter', () => {
  const user = (emails: unknown[]) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'ada',
    emails,
  });
  const filter = parseFilter('emails[type eq "work"].value eq "ada@acme.com"');

  it('matches a user whose work email has that value, case-insensitively', () => {
    expect(matches(filter, user([{ type: 'work', value: 'Ada@Acme.com' }]))).toBe(true);
    expect(
      matches(
        filter,
        user([
          { type: 'home', value: 'x@acme.com' },
          { type: 'work', value: 'ada@acme.com' },
        ]),
      ),
    ).toBe(true);
  });

  it('binds the value to the work email, not to any email', () => {
    expect(
      matches(
        filter,
        user([
          { type: 'home', value: 'ada@acme.com' },
          { type: 'work', value: 'other@acme.com' },
        ]),
      ),
    ).toBe(false);
    expect(matches(filter, user([]))).toBe(false);
  });

  it('takes the other operators and pr after the sub-attribute', () => {
    expect(
      matches(
        parseFilter('emails[type eq "work"].value sw "ada"'),
        user([{ type: 'work', value: 'ada@acme.com' }]),
      ),
    ).toBe(true);
    expect(
      matches(parseFilter('emails[type eq "work"].value pr'), user([{ type: 'home', value: 'a' }])),
    ).toBe(false);
  });

  it('still refuses a malformed tail with invalidFilter', () => {
    expect(scimErrorOf(() => parseFilter('emails[type eq "work"].value'))).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
    expect(scimErrorOf(() => parseFilter('emails[type eq "work"].a.b eq "x"'))).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
  });
});

describe('bounds (SPEC §10)', () => {
  it('refuses a filter over 10,000 characters with invalidFilter, and takes one at the bound', () => {
    const at = `userName eq "${'a'.repeat(MAX_FILTER_LENGTH - 14)}"`;
    expect(at).toHaveLength(MAX_FILTER_LENGTH);
    expect(parseFilter(at)).toMatchObject({ op: 'eq' });
    expect(scimErrorOf(() => parseFilter(`${at} `))).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
  });

  it('refuses a PATCH of more than 1,000 operations with tooMany', () => {
    const group = normaliseGroup({ displayName: 'g' });
    const ops = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ op: 'add', path: 'members', value: [`m${i}`] }));
    expect(
      applyPatch(group, patchBody(...ops(MAX_PATCH_OPERATIONS)), 'Group').resource.members,
    ).toHaveLength(MAX_PATCH_OPERATIONS);
    expect(
      scimErrorOf(() => applyPatch(group, patchBody(...ops(MAX_PATCH_OPERATIONS + 1)), 'Group')),
    ).toMatchObject({ status: 400, scimType: 'tooMany' });
  });
});

describe('group members in a PATCH', () => {
  const ids = (g: GroupAttributes) => (g.members ?? []).map((m) => m.value);
  const group = normaliseGroup({
    displayName: 'g',
    members: Array.from({ length: 1_000 }, (_, i) => ({ value: `old${i}`, display: `o${i}` })),
  });

  it('1,000 add operations on a group of 1,000 add each member once, in order', () => {
    const ops = Array.from({ length: 1_000 }, (_, i) => ({
      op: i % 2 ? 'Add' : 'add',
      path: 'members',
      value: [{ value: `new${i}` }, { value: `old${i}` }],
    }));
    const { resource, changed } = applyPatch(group, patchBody(...ops), 'Group');
    expect(changed).toBe(true);
    expect(ids(resource)).toEqual([
      ...Array.from({ length: 1_000 }, (_, i) => `old${i}`),
      ...Array.from({ length: 1_000 }, (_, i) => `new${i}`),
    ]);
    // An existing member keeps its display; added ones are as given.
    expect(resource.members?.[0]).toEqual({ value: 'old0', display: 'o0' });
  });

  it('removes, re-adds and replaces in the order of the operations', () => {
    const { resource } = applyPatch(
      group,
      patchBody(
        { op: 'remove', path: 'members[value eq "old0"]' },
        { op: 'remove', path: 'members', value: [{ value: 'old1' }, { value: 'nobody' }] },
        { op: 'add', path: 'members', value: [{ value: 'old0' }] },
        { op: 'remove', path: 'members[value eq "old2" or value eq "old3"]' },
        { op: 'replace', path: 'members[value eq "old4"].display', value: 'four' },
      ),
      'Group',
    );
    expect(ids(resource).slice(0, 3)).toEqual(['old4', 'old5', 'old6']);
    expect(ids(resource).at(-1)).toBe('old0');
    expect(resource.members).toHaveLength(997);
    expect(resource.members?.[0]).toEqual({ value: 'old4', display: 'four' });
  });

  it('remove of members without a filter or value removes every member', () => {
    const { resource, changed } = applyPatch(
      group,
      patchBody({ op: 'Remove', path: 'members' }),
      'Group',
    );
    expect(changed).toBe(true);
    expect(resource.members).toBeUndefined();
    // A value listing nothing is no value.
    for (const value of [[], null]) {
      expect(
        applyPatch(group, patchBody({ op: 'remove', path: 'members', value }), 'Group').resource
          .members,
      ).toBeUndefined();
    }
    // A value listing members that are not there removes nothing.
    expect(
      applyPatch(
        group,
        patchBody({ op: 'remove', path: 'members', value: [{ value: 'nobody' }] }),
        'Group',
      ).changed,
    ).toBe(false);
    // …and adding afterwards starts from none.
    expect(
      ids(
        applyPatch(
          group,
          patchBody(
            { op: 'remove', path: 'members' },
            { op: 'add', path: 'members', value: [{ value: 'x' }] },
          ),
          'Group',
        ).resource,
      ),
    ).toEqual(['x']);
  });

  it('a path-less add of members is the same as one with the path', () => {
    const { resource } = applyPatch(
      group,
      patchBody({ op: 'add', value: { members: [{ value: 'p' }] } }),
      'Group',
    );
    expect(ids(resource).at(-1)).toBe('p');
    expect(resource.members).toHaveLength(1_001);
  });
});

describe('remove of a multi-valued attribute without a filter', () => {
  const user: UserAttributes = normaliseUser({
    userName: 'ada@acme.com',
    active: true,
    emails: [
      { value: 'ada@acme.com', type: 'work', primary: true },
      { value: 'ada@home.example', type: 'home' },
    ],
    phoneNumbers: [{ value: '+1 555' }],
  });

  it('removes every value', () => {
    const { resource } = applyPatch(user, patchBody({ op: 'remove', path: 'emails' }), 'User');
    expect(resource.emails).toBeUndefined();
    expect(resource.phoneNumbers).toEqual([{ value: '+1 555' }]);
    expect(
      applyPatch(user, patchBody({ op: 'remove', path: 'phoneNumbers', value: [] }), 'User')
        .resource.phoneNumbers,
    ).toBeUndefined();
  });

  it('leaves active unassigned when active is removed (the service reads that as inactive)', () => {
    const { resource, changed } = applyPatch(
      user,
      patchBody({ op: 'remove', path: 'active' }),
      'User',
    );
    expect(changed).toBe(true);
    expect(resource.active).toBeUndefined();
  });

  it('still makes a new primary the only one', () => {
    const { resource } = applyPatch(
      user,
      patchBody({
        op: 'add',
        path: 'emails',
        value: [{ value: 'new@acme.com', type: 'other', primary: true }],
      }),
      'User',
    );
    expect(resource.emails?.filter((e) => e.primary === true).map((e) => e.value)).toEqual([
      'new@acme.com',
    ]);
  });
});

describe('parseSearchRequest (POST .search, RFC 7644 §3.4.3)', () => {
  it('reads filter, startIndex, count, attributes and excludedAttributes', () => {
    const query = parseSearchRequest({
      schemas: [SEARCH],
      filter: 'userName eq "a@b.c"',
      startIndex: 2,
      count: 10,
      attributes: ['userName', 'emails[type eq "a,b"].value'],
      excludedAttributes: ['groups'],
      sortBy: 'userName',
    });
    expect(query).toMatchObject({
      startIndex: 2,
      count: 10,
      attributes: ['userName', 'emails[type eq "a,b"].value'],
      excludedAttributes: ['groups'],
    });
    expect(query.filter).toMatchObject({ op: 'eq', value: 'a@b.c' });
  });

  it('defaults as a GET list does', () => {
    expect(parseSearchRequest({ schemas: [SEARCH.toLowerCase()] })).toEqual({
      startIndex: 1,
      count: 100,
    });
  });

  it('refuses a body without the SearchRequest schema, or with wrong types', () => {
    expect(scimErrorOf(() => parseSearchRequest({ filter: 'x pr' }))).toMatchObject({
      status: 400,
      scimType: 'invalidSyntax',
    });
    expect(scimErrorOf(() => parseSearchRequest([]))).toMatchObject({ status: 400 });
    expect(scimErrorOf(() => parseSearchRequest({ schemas: [SEARCH], filter: 42 }))).toMatchObject({
      status: 400,
      scimType: 'invalidValue',
    });
    expect(
      scimErrorOf(() => parseSearchRequest({ schemas: [SEARCH], count: 'ten' })),
    ).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(
      scimErrorOf(() => parseSearchRequest({ schemas: [SEARCH], attributes: [1] })),
    ).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(
      scimErrorOf(() =>
        parseSearchRequest({ schemas: [SEARCH], filter: `userName eq "${'x'.repeat(10_000)}"` }),
      ),
    ).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });
});

// ---- the router and the service over in-memory ports ---------------------------------------

const AT = '2025-01-01T00:00:00.000Z';
const CONN_ID = 'conn-1';
const ORG = { id: 'org-1', name: 'acme', companyId: null };

/** In-memory ports: what the service reads, and the writes and user reads it makes. */
function memoryDeps() {
  const users = new Map<string, ScimUserRecord>();
  const groups = new Map<string, ScimGroupRecord>();
  const token = newScimToken();
  const conn = {
    id: CONN_ID,
    name: 'Okta',
    scope: { type: 'org', id: ORG.id },
    domains: ['acme.com'],
    defaultOrg: { id: ORG.id, name: ORG.name },
    scim: true,
  } as unknown as ConnectionRecord;
  const applied: Write[][] = [];
  const userReads: string[] = [];
  let next = 0;
  const scim: ScimStore = {
    getToken: async (id) =>
      id === CONN_ID
        ? {
            connectionId: id,
            scope: { type: 'org', id: ORG.id },
            tokenHash: hashScimToken(token),
            createdAt: AT,
            createdBy: 'test',
          }
        : undefined,
    getUser: async (_, id) => {
      userReads.push(id);
      return users.get(id);
    },
    getUsers: async (_, ids) => {
      userReads.push(...ids);
      return ids.map((id) => users.get(id));
    },
    getGroup: async (_, id) => groups.get(id),
    userIdByName: async () => undefined,
    groupIdByName: async () => undefined,
    listUsers: async () => [...users.values()],
    listGroups: async () => [...groups.values()],
  };
  const store = {
    apply: async (writes: Write[]) => {
      applied.push(writes);
      for (const w of writes) if (w.kind === 'putScimGroup') groups.set(w.group.id, w.group);
    },
    getOrg: async (id: string) => (id === ORG.id ? { ...ORG, seatLimit: null } : undefined),
    companyOrgs: async () => [],
    getConnection: async () => conn,
  } as unknown as AdminStore;
  const deps: ScimDeps = { store, scim, now: () => new Date(AT), newId: () => `id-${++next}` };
  const ctx: ScimCtx = { deps, conn, caller: { email: `scim:${CONN_ID}` }, at: AT };
  const addUser = (id: string) =>
    users.set(id, {
      id,
      userName: `${id}@acme.com`,
      externalId: null,
      email: `${id}@acme.com`,
      active: true,
      attributes: { userName: `${id}@acme.com`, active: true },
      created: AT,
      lastModified: AT,
      version: 1,
    });
  const addGroup = (id: string, displayName: string, members: string[]) =>
    groups.set(id, {
      id,
      displayName,
      externalId: null,
      members,
      attributes: { displayName, members: members.map((value) => ({ value })) },
      created: AT,
      lastModified: AT,
      version: 1,
    });
  return { deps, ctx, token, applied, userReads, users, groups, addUser, addGroup };
}

const event = (
  method: string,
  path: string,
  options: { token?: string; body?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: 'api.test',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    requestContext: { domainName: 'api.test', http: { method, path } },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.base64 ?? false,
  }) as unknown as APIGatewayProxyEventV2;

const answer = (r: { statusCode?: number; body?: string }) => ({
  status: r.statusCode,
  body: r.body ? JSON.parse(r.body) : undefined,
});

describe('routeScim: malformed paths and oversized bodies', () => {
  it('answers a malformed percent-escape with a 400 SCIM error, with or without a token', async () => {
    const m = memoryDeps();
    for (const path of [
      `/scim/v2/${CONN_ID}/Users/%E0%A4%A`,
      `/scim/v2/${CONN_ID}/Users/%`,
      '/scim/v2/%ZZ/Users',
      `/scim/v2/${CONN_ID}/%C0`,
    ]) {
      for (const token of [undefined, m.token, 'wrong']) {
        const res = answer(await routeScim(event('GET', path, { token }), m.deps));
        expect(res.status, path).toBe(400);
        expect(res.body).toMatchObject({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '400',
        });
      }
    }
  });

  it('answers an id too long for a key as not found, and a long connection id as 401', async () => {
    const m = memoryDeps();
    m.deps.scim.getToken = async () => {
      const { NotFoundError } = await import('../../../shared/errors.ts');
      throw new NotFoundError('Not found');
    };
    const res = answer(
      await routeScim(
        event('GET', `/scim/v2/${'c'.repeat(3000)}/Users`, { token: m.token }),
        m.deps,
      ),
    );
    expect(res.status).toBe(401);
  });

  it('answers a body over 1 MiB with 413 before anything else, and takes one at the bound', async () => {
    const m = memoryDeps();
    const padded = (bytes: number) => {
      const head = JSON.stringify({ schemas: [SEARCH], filter: 'userName pr' });
      return `${head.slice(0, -1)}, "pad": "${'x'.repeat(bytes - head.length - 11)}"}`;
    };
    const over = padded(MAX_BODY_BYTES + 1);
    expect(Buffer.byteLength(over)).toBe(MAX_BODY_BYTES + 1);
    const tooLarge = answer(
      await routeScim(event('POST', `/scim/v2/${CONN_ID}/.search`, { body: over }), m.deps),
    );
    expect(tooLarge).toMatchObject({
      status: 413,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '413' },
    });
    const base64 = answer(
      await routeScim(
        event('POST', `/scim/v2/${CONN_ID}/Users`, {
          token: m.token,
          body: Buffer.from(over).toString('base64'),
          base64: true,
        }),
        m.deps,
      ),
    );
    expect(base64.status).toBe(413);
    const at = padded(MAX_BODY_BYTES);
    expect(Buffer.byteLength(at)).toBe(MAX_BODY_BYTES);
    const ok = answer(
      await routeScim(
        event('POST', `/scim/v2/${CONN_ID}/.search`, { token: m.token, body: at }),
        m.deps,
      ),
    );
    expect(ok).toMatchObject({ status: 200, body: { totalResults: 0 } });
  });

  it('routes POST .search at the root and per resource type; GET .search is 405', async () => {
    const m = memoryDeps();
    m.addUser('u1');
    m.addGroup('g1', 'everyone', ['u1']);
    const body = JSON.stringify({
      schemas: [SEARCH],
      filter: 'displayName eq "everyone" or userName sw "u1"',
    });
    const search = async (path: string, method = 'POST') =>
      answer(
        await routeScim(
          event(method, `/scim/v2/${CONN_ID}${path}`, { token: m.token, body }),
          m.deps,
        ),
      );
    expect((await search('/.search')).body.totalResults).toBe(2);
    expect(
      (await search('/Users/.search')).body.Resources.map((r: { id: string }) => r.id),
    ).toEqual(['u1']);
    expect(
      (await search('/groups/.search')).body.Resources.map((r: { id: string }) => r.id),
    ).toEqual(['g1']);
    expect((await search('/Users/.search', 'GET')).status).toBe(405);
  });

  it('advertises filtering, which .search and list GETs both do', () => {
    expect(serviceProviderConfig('https://x').filter.supported).toBe(true);
  });
});

describe('team names from groups must be team slugs (SPEC §1, §10)', () => {
  const create = (m: ReturnType<typeof memoryDeps>, displayName: string) =>
    service.createGroup(m.ctx, 'https://x', { displayName, members: [] });

  it.each([
    'acme:<img src=x onerror=alert(1)>',
    'acme:admins#TEAM#x',
    `acme:${'t'.repeat(1_000)}`,
    'ACME:a',
    'acme:-dev',
    'acme:a:b',
  ])('refuses %s with 400 invalidValue and writes nothing', async (name) => {
    const m = memoryDeps();
    await expect(create(m, name)).rejects.toMatchObject({
      statusCode: 400,
      scimType: 'invalidValue',
    });
    expect(m.applied).toEqual([]);
  });

  it('takes a slug team in any case, and keeps other names as plain groups', async () => {
    const m = memoryDeps();
    for (const name of ['acme:Dev-Team', 'other:<img>', 'no colon <img>', ':x']) {
      expect((await create(m, name)).status, name).toBe(201);
    }
  });

  it('refuses a rename to a non-slug team, leaving the group as it was', async () => {
    const m = memoryDeps();
    m.addGroup('g1', 'acme:dev', []);
    await expect(
      service.patchGroup(
        m.ctx,
        'g1',
        patchBody({ op: 'replace', path: 'displayName', value: 'acme:dev team' }),
      ),
    ).rejects.toMatchObject({ statusCode: 400, scimType: 'invalidValue' });
    expect(m.applied).toEqual([]);
    expect(m.groups.get('g1')?.displayName).toBe('acme:dev');
  });
});

describe('a group PATCH reads what it changes, not the whole group', () => {
  it('adding one member to a group of 1,000 reads one user', async () => {
    const m = memoryDeps();
    const members = Array.from({ length: 1_000 }, (_, i) => `u${i}`);
    for (const id of [...members, 'new']) m.addUser(id);
    m.addGroup('g1', 'everyone', members);
    const res = await service.patchGroup(
      m.ctx,
      'g1',
      patchBody({ op: 'add', path: 'members', value: [{ value: 'new' }] }),
    );
    expect(res.status).toBe(204);
    expect(m.userReads).toEqual(['new']);
    expect(m.groups.get('g1')?.members).toHaveLength(1_001);
  });

  it('1,000 add operations read each added user once and write the group once', async () => {
    const m = memoryDeps();
    const added = Array.from({ length: 1_000 }, (_, i) => `n${i}`);
    for (const id of added) m.addUser(id);
    m.addGroup('g1', 'everyone', []);
    await service.patchGroup(
      m.ctx,
      'g1',
      patchBody(...added.map((value) => ({ op: 'add', path: 'members', value: [{ value }] }))),
    );
    expect(m.userReads).toEqual(added);
    expect(m.applied).toHaveLength(1);
    expect(m.groups.get('g1')?.members).toEqual(added);
  });

  it('refuses an unknown member (400, nothing written), even with an id too long for a key', async () => {
    const m = memoryDeps();
    m.addGroup('g1', 'everyone', []);
    for (const value of ['nobody', 'x'.repeat(5_000)]) {
      await expect(
        service.patchGroup(
          m.ctx,
          'g1',
          patchBody({ op: 'add', path: 'members', value: [{ value }] }),
        ),
      ).rejects.toMatchObject({ statusCode: 400, scimType: 'invalidValue' });
    }
    expect(m.applied).toEqual([]);
  });
});
