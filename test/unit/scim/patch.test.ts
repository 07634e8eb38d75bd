import { describe, expect, it } from 'vitest';
import { applyPatch, memberChanges } from '../../../shared/scim/protocol/patch.ts';
import {
  type GroupAttributes,
  normaliseGroup,
  normaliseUser,
  toUserResource,
  type UserAttributes,
} from '../../../shared/scim/protocol/resource.ts';
import { ENTERPRISE, PATCH_OP, patchBody, scimErrorOf } from './support.ts';

const user: UserAttributes = normaliseUser({
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  externalId: '00ujl29u0le5T6Aj10h7',
  active: true,
});

const group: GroupAttributes = normaliseGroup({
  displayName: 'Test SCIMv2',
  members: [
    { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'old.user@okta.local' },
    { value: 'a2c4b3f6-0000-4000-8000-000000000001', display: 'other@okta.local' },
  ],
});

const patchUser = (resource: UserAttributes, ...ops: unknown[]) =>
  applyPatch(resource, patchBody(...ops), 'User');
const patchGroup = (resource: GroupAttributes, ...ops: unknown[]) =>
  applyPatch(resource, patchBody(...ops), 'Group');

describe('Okta', () => {
  it('deactivates with a path-less replace of active (SCIM 2.0 reference, "Update a specific User")', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    };
    const { resource, changed } = applyPatch(user, body, 'User');
    expect(changed).toBe(true);
    expect(resource).toEqual({ ...user, active: false });
  });

  it('reactivates, and an unchanged replace reports no change', () => {
    const inactive = { ...user, active: false };
    expect(patchUser(inactive, { op: 'replace', value: { active: true } }).resource.active).toBe(
      true,
    );
    expect(patchUser(user, { op: 'replace', value: { active: true } }).changed).toBe(false);
  });

  it('applies a PUT-like path-less replace of the whole profile', () => {
    const { resource } = patchUser(user, {
      op: 'replace',
      value: {
        userName: 'test.user@okta.local',
        name: { givenName: 'Another' },
        emails: [{ primary: true, value: 'another@okta.local', type: 'work' }],
        displayName: 'Another User',
        locale: 'en-US',
      },
    });
    expect(resource).toEqual({
      userName: 'test.user@okta.local',
      // A complex attribute keeps the sub-attributes the value does not give (RFC 7644 §3.5.2.3).
      name: { familyName: 'User', givenName: 'Another' },
      displayName: 'Another User',
      locale: 'en-US',
      active: true,
      emails: [{ value: 'another@okta.local', type: 'work', primary: true }],
      externalId: '00ujl29u0le5T6Aj10h7',
    });
  });

  it('renames a group with the id in the value ("Update a specific Group name")', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'replace',
          value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2 renamed' },
        },
      ],
    };
    const { resource } = applyPatch(group, body, 'Group', {
      id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b',
    });
    expect(resource).toEqual({ ...group, displayName: 'Test SCIMv2 renamed' });
    expect(scimErrorOf(() => applyPatch(group, body, 'Group', { id: 'another-id' }))).toMatchObject(
      { status: 400, scimType: 'mutability' },
    );
  });

  it('removes and adds members ("Update Group membership")', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
        {
          op: 'add',
          path: 'members',
          value: [
            { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
          ],
        },
      ],
    };
    const { resource, changed } = applyPatch(group, body, 'Group');
    expect(changed).toBe(true);
    expect(resource.members).toEqual([
      { value: 'a2c4b3f6-0000-4000-8000-000000000001', display: 'other@okta.local' },
      { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
    ]);
    expect(memberChanges(group, resource)).toEqual({
      added: ['23a35c27-23d3-4c03-b4c5-6443c09e7173'],
      removed: ['89bb1940-b905-4575-9e7f-6f887cfb368e'],
    });
  });

  it('adding a member already there changes nothing', () => {
    const { resource, changed } = patchGroup(group, {
      op: 'add',
      path: 'members',
      value: [{ value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'renamed' }],
    });
    expect(changed).toBe(false);
    expect(resource).toEqual(group);
  });

  it('replaces all members with a path replace, and removes them all with a path remove', () => {
    const replaced = patchGroup(group, {
      op: 'replace',
      path: 'members',
      value: [{ value: 'u-9' }],
    });
    expect(replaced.resource.members).toEqual([{ value: 'u-9' }]);
    expect(memberChanges(group, replaced.resource)).toEqual({
      added: ['u-9'],
      removed: ['89bb1940-b905-4575-9e7f-6f887cfb368e', 'a2c4b3f6-0000-4000-8000-000000000001'],
    });
    const emptied = patchGroup(group, { op: 'remove', path: 'members' });
    expect(emptied.resource).toEqual({ displayName: 'Test SCIMv2' });
  });
});

describe('Microsoft Entra ID', () => {
  it('replaces the work email and family name ("Update User [Multi-valued properties]")', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Replace',
          path: 'emails[type eq "work"].value',
          value: 'updatedEmail@microsoft.com',
        },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    };
    const { resource } = applyPatch(user, body, 'User');
    expect(resource.emails).toEqual([
      { value: 'updatedEmail@microsoft.com', type: 'work', primary: true },
    ]);
    expect(resource.name).toEqual({ familyName: 'updatedFamilyName', givenName: 'Test' });
  });

  it('replaces userName ("Update User [Single-valued properties]")', () => {
    const { resource } = patchUser(user, {
      op: 'Replace',
      path: 'userName',
      value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com',
    });
    expect(resource.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
  });

  it('disables a user with a boolean or with the string "False"', () => {
    expect(patchUser(user, { op: 'Replace', path: 'active', value: false }).resource.active).toBe(
      false,
    );
    expect(patchUser(user, { op: 'Replace', path: 'active', value: 'False' }).resource.active).toBe(
      false,
    );
    const inactive = { ...user, active: false };
    expect(
      patchUser(inactive, { op: 'Replace', path: 'active', value: 'True' }).resource.active,
    ).toBe(true);
  });

  it('treats Add on a single-valued attribute as a replace', () => {
    const once = patchUser(user, { op: 'Add', path: 'nickName', value: 'Babs' }).resource;
    expect(once.nickName).toBe('Babs');
    const twice = patchUser(once, { op: 'Add', path: 'nickName', value: 'Barbie' }).resource;
    expect(twice.nickName).toBe('Barbie');
    expect(
      patchUser(user, { op: 'Add', path: 'displayName', value: 'X' }).resource.displayName,
    ).toBe('X');
  });

  it('applies a path-less replace with dotted and schema-qualified keys', () => {
    const { resource } = patchUser(user, {
      op: 'Replace',
      value: {
        displayName: 'Pvs',
        'name.givenName': 'x',
        'name.familyName': 'S',
        [`${ENTERPRISE}:department`]: 'y',
        [`${ENTERPRISE}:employeeNumber`]: '701984',
        'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Dr',
        active: 'False',
      },
    });
    expect(resource).toMatchObject({
      displayName: 'Pvs',
      name: { givenName: 'x', familyName: 'S' },
      title: 'Dr',
      active: false,
      [ENTERPRISE]: { department: 'y', employeeNumber: '701984' },
    });
  });

  it('adds members ("Update Group [Add Members]", with $ref: null)', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
      ],
    };
    const { resource } = applyPatch(group, body, 'Group');
    expect(resource.members?.map((m) => m.value)).toEqual([
      '89bb1940-b905-4575-9e7f-6f887cfb368e',
      'a2c4b3f6-0000-4000-8000-000000000001',
      'f648f8d5ea4e4cd38e9c',
    ]);
    expect(memberChanges(group, resource)).toEqual({
      added: ['f648f8d5ea4e4cd38e9c'],
      removed: [],
    });
  });

  it('removes only the listed members ("Update Group [Remove Members]")', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Remove',
          path: 'members',
          value: [{ $ref: null, value: 'a2c4b3f6-0000-4000-8000-000000000001' }],
        },
      ],
    };
    const { resource } = applyPatch(group, body, 'Group');
    expect(resource.members).toEqual([
      { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'old.user@okta.local' },
    ]);
    expect(memberChanges(group, resource)).toEqual({
      added: [],
      removed: ['a2c4b3f6-0000-4000-8000-000000000001'],
    });
  });

  it('removing a member that is not there changes nothing', () => {
    expect(
      patchGroup(group, { op: 'Remove', path: 'members', value: [{ value: 'nobody' }] }).changed,
    ).toBe(false);
    expect(patchGroup(group, { op: 'remove', path: 'members[value eq "nobody"]' }).changed).toBe(
      false,
    );
  });

  it('renames a group ("Update Group [Non-member attributes]")', () => {
    const { resource } = patchGroup(group, {
      op: 'Replace',
      path: 'displayName',
      value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName',
    });
    expect(resource.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });

  it('creates the work email when a value-path replace finds none', () => {
    const bare = normaliseUser({ userName: 'a@contoso.com' });
    const replaced = patchUser(bare, {
      op: 'Replace',
      path: 'emails[type eq "work"].value',
      value: 'a@contoso.com',
    });
    expect(replaced.resource.emails).toEqual([{ value: 'a@contoso.com', type: 'work' }]);
    const added = patchUser(bare, {
      op: 'Add',
      path: 'emails[type eq "work"].value',
      value: 'a@contoso.com',
    });
    expect(added.resource.emails).toEqual([{ value: 'a@contoso.com', type: 'work' }]);
  });

  it('accepts "Primary" capitalised and "True" as a string, keeping one primary', () => {
    const withHome = patchUser(user, {
      op: 'Add',
      path: 'emails',
      value: [{ Value: 'home@example.org', Type: 'home', Primary: 'False' }],
    }).resource;
    expect(withHome.emails).toEqual([
      { value: 'test.user@okta.local', type: 'work', primary: true },
      { value: 'home@example.org', type: 'home', primary: false },
    ]);
    const { resource } = patchUser(withHome, {
      op: 'Replace',
      path: 'emails[type eq "home"].Primary',
      value: 'True',
    });
    expect(resource.emails).toEqual([
      { value: 'test.user@okta.local', type: 'work', primary: false },
      { value: 'home@example.org', type: 'home', primary: true },
    ]);
  });

  it('sets and removes the manager, sent as a bare id', () => {
    const managed = patchUser(user, {
      op: 'Add',
      path: `${ENTERPRISE}:manager`,
      value: 'm-1',
    }).resource;
    expect(managed[ENTERPRISE]).toEqual({ manager: { value: 'm-1' } });
    const unmanaged = patchUser(managed, { op: 'Remove', path: `${ENTERPRISE}:manager` }).resource;
    expect(unmanaged[ENTERPRISE]).toBeUndefined();
  });
});

describe('RFC 7644 §3.5.2 semantics', () => {
  it('adds to a multi-valued attribute and replaces it', () => {
    const added = patchUser(user, {
      op: 'add',
      path: 'phoneNumbers',
      value: [{ value: '555-555-5555', type: 'work' }],
    }).resource;
    expect(added.phoneNumbers).toEqual([{ value: '555-555-5555', type: 'work' }]);
    const more = patchUser(added, {
      op: 'add',
      path: 'phoneNumbers',
      value: { value: '555-0000', type: 'mobile' },
    });
    expect(more.resource.phoneNumbers).toHaveLength(2);
    const replaced = patchUser(more.resource, { op: 'replace', path: 'phoneNumbers', value: [] });
    expect(replaced.resource.phoneNumbers).toBeUndefined();
  });

  it('merges a complex attribute on add, and adds to the resource without a path', () => {
    const { resource } = patchUser(user, {
      op: 'add',
      value: {
        name: { middleName: 'J' },
        emails: [{ value: 'b@x.com', type: 'other' }],
        nickName: 'T',
      },
    });
    expect(resource.name).toEqual({ familyName: 'User', givenName: 'Test', middleName: 'J' });
    expect(resource.emails).toHaveLength(2);
    expect(resource.nickName).toBe('T');
  });

  it('replaces matched values with a value-path replace, and noTarget when no value matches and none can be made', () => {
    const { resource } = patchUser(user, {
      op: 'replace',
      path: 'emails[type eq "work"]',
      value: { value: 'new@x.com', type: 'work' },
    });
    expect(resource.emails).toEqual([{ value: 'new@x.com', type: 'work' }]);
    expect(
      scimErrorOf(() =>
        patchUser(user, { op: 'replace', path: 'emails[value co "zzz"].type', value: 'home' }),
      ),
    ).toMatchObject({ status: 400, scimType: 'noTarget' });
  });

  it('removes a sub-attribute and a whole attribute', () => {
    expect(patchUser(user, { op: 'remove', path: 'name.givenName' }).resource.name).toEqual({
      familyName: 'User',
    });
    expect(
      patchUser(user, { op: 'remove', path: 'emails[type eq "work"]' }).resource.emails,
    ).toBeUndefined();
    expect(
      patchUser(user, { op: 'remove', path: 'emails[type eq "work"].primary' }).resource.emails,
    ).toEqual([{ value: 'test.user@okta.local', type: 'work' }]);
    expect(
      patchUser(user, { op: 'remove', path: 'displayName' }).resource.displayName,
    ).toBeUndefined();
    expect(
      patchUser(user, { op: 'replace', path: 'displayName', value: null }).resource.displayName,
    ).toBeUndefined();
  });

  it('sets a sub-attribute of every value when there is no filter', () => {
    const two = normaliseUser({
      userName: 'a',
      emails: [{ value: 'a@x.com' }, { value: 'b@x.com' }],
    });
    expect(
      patchUser(two, { op: 'replace', path: 'emails.type', value: 'work' }).resource.emails,
    ).toEqual([
      { value: 'a@x.com', type: 'work' },
      { value: 'b@x.com', type: 'work' },
    ]);
  });

  it('applies operations in order', () => {
    const { resource } = patchUser(
      user,
      { op: 'replace', path: 'title', value: 'A' },
      { op: 'replace', path: 'title', value: 'B' },
      { op: 'remove', path: 'title' },
      { op: 'add', path: 'title', value: 'C' },
    );
    expect(resource.title).toBe('C');
  });

  it('takes a rendered resource and ignores its id, meta and schemas', () => {
    const rendered = toUserResource(user, {
      id: 'u-1',
      created: '2020-01-01T00:00:00Z',
      lastModified: '2020-01-01T00:00:00Z',
      location: 'https://x/Users/u-1',
    });
    const { resource, changed } = applyPatch(
      rendered,
      patchBody({ op: 'replace', path: 'title', value: 'T' }),
      'User',
    );
    expect(changed).toBe(true);
    expect(resource).toEqual({ ...user, title: 'T' });
  });

  it('does not modify the resource it is given', () => {
    const copy = structuredClone(user);
    patchUser(user, { op: 'replace', path: 'emails[type eq "work"].value', value: 'z@x.com' });
    patchUser(user, { op: 'replace', value: { name: { givenName: 'Z' } } });
    expect(user).toEqual(copy);
  });
});

describe('errors', () => {
  it.each([
    [{ Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'no schemas'],
    [
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        Operations: [{ op: 'add', path: 'title', value: 'x' }],
      },
      'wrong schema',
    ],
    [{ schemas: [PATCH_OP], Operations: [] }, 'no operations'],
    [{ schemas: [PATCH_OP] }, 'Operations missing'],
    [{ schemas: [PATCH_OP], Operations: {} }, 'Operations not an array'],
    [{ schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'title' }] }, 'unknown op'],
    [{ schemas: [PATCH_OP], Operations: ['add'] }, 'operation not an object'],
    [{ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title' }] }, 'add without value'],
    [
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: 'x' }] },
      'path-less value not an object',
    ],
    ['not a body', 'not an object'],
  ])('refuses %j (%s) with 400 invalidSyntax', (body: unknown, _why: string) => {
    expect(scimErrorOf(() => applyPatch(user, body, 'User'))).toMatchObject({
      status: 400,
      scimType: 'invalidSyntax',
    });
  });

  it('accepts any case of the Operations key and of op', () => {
    const body = {
      SCHEMAS: [PATCH_OP.toUpperCase()],
      operations: [{ OP: 'REPLACE', Path: 'title', VALUE: 'x' }],
    };
    expect(applyPatch(user, body, 'User').resource.title).toBe('x');
  });

  it.each(['id', 'ID', 'meta', 'meta.created'])(
    'refuses a change of %s with 400 mutability',
    (path) => {
      expect(scimErrorOf(() => patchUser(user, { op: 'replace', path, value: 'x' }))).toMatchObject(
        {
          status: 400,
          scimType: 'mutability',
        },
      );
    },
  );

  it.each([
    'adreses',
    'name.nickname',
    'emails[type eq "work"].bogus',
    'urn:example:other:2.0:User:title',
    `${ENTERPRISE}:shoeSize`,
    'members',
    'userName.x',
  ])('refuses the path %s, which names no User attribute, with 400 invalidPath', (path) => {
    expect(scimErrorOf(() => patchUser(user, { op: 'replace', path, value: 'x' }))).toMatchObject({
      status: 400,
      scimType: 'invalidPath',
    });
  });

  it('refuses a filter on a single-valued attribute with 400 invalidPath', () => {
    expect(
      scimErrorOf(() =>
        patchUser(user, { op: 'replace', path: 'name[givenName eq "x"]', value: {} }),
      ).scimType,
    ).toBe('invalidPath');
  });

  it('refuses remove without path with 400 noTarget', () => {
    expect(
      scimErrorOf(() => patchUser(user, { op: 'remove', value: { title: 'x' } })),
    ).toMatchObject({
      status: 400,
      scimType: 'noTarget',
    });
  });

  it('refuses a wrong type with 400 invalidValue naming the attribute', () => {
    const e = scimErrorOf(() => patchUser(user, { op: 'replace', path: 'active', value: 'maybe' }));
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(e.detail).toContain('active');
    const e2 = scimErrorOf(() =>
      patchUser(user, { op: 'replace', path: 'name.givenName', value: 7 }),
    );
    expect(e2.detail).toContain('name.givenName');
  });

  it('refuses removing userName or displayName (the result must stay valid)', () => {
    expect(scimErrorOf(() => patchUser(user, { op: 'remove', path: 'userName' }))).toMatchObject({
      scimType: 'invalidValue',
    });
    expect(
      scimErrorOf(() => patchGroup(group, { op: 'remove', path: 'displayName' })).detail,
    ).toContain('displayName');
  });

  it('ignores unknown keys of a path-less value, as a POST does', () => {
    const { resource, changed } = patchUser(user, {
      op: 'replace',
      value: { shoeSize: 44, 'a b': 1, schemas: [], meta: {}, __proto__x: 1 },
    });
    expect(changed).toBe(false);
    expect(resource).toEqual(user);
  });

  it('does not let a "__proto__" key reach any prototype', () => {
    const body = JSON.parse(
      `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":true},"__proto__.polluted":true,"name.__proto__":{"polluted":true}}}]}`,
    );
    const { changed } = applyPatch(user, body, 'User');
    expect(changed).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('memberChanges', () => {
  it('lists added and removed member ids', () => {
    expect(
      memberChanges(
        { displayName: 'g', members: [{ value: 'a' }, { value: 'b' }] },
        { displayName: 'g', members: [{ value: 'b' }, { value: 'c' }, { value: 'd' }] },
      ),
    ).toEqual({ added: ['c', 'd'], removed: ['a'] });
  });

  it('handles groups without members', () => {
    expect(
      memberChanges({ displayName: 'g' }, { displayName: 'g', members: [{ value: 'a' }] }),
    ).toEqual({
      added: ['a'],
      removed: [],
    });
    expect(memberChanges({ displayName: 'g' }, { displayName: 'g' })).toEqual({
      added: [],
      removed: [],
    });
  });
});
