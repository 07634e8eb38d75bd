import { describe, expect, it } from 'vitest';
import {
  normaliseGroup,
  normaliseUser,
  projectAttributes,
  toGroupResource,
  toUserResource,
} from '../../../shared/scim/protocol/resource.ts';
import { ENTERPRISE, scimErrorOf } from './support.ts';

/** Okta "Create Users" (SCIM 2.0 protocol reference): POST /Users. */
const OKTA_CREATE_USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

/** Entra ID "Create User" (Tutorial: Develop and plan provisioning for a SCIM endpoint). */
const ENTRA_CREATE_USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: true,
  emails: [
    {
      primary: true,
      type: 'work',
      value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com',
    },
  ],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
};

describe('normaliseUser', () => {
  it('keeps what Okta creates and drops what the schema does not have (groups, password)', () => {
    expect(normaliseUser(OKTA_CREATE_USER)).toEqual({
      userName: 'test.user@okta.local',
      name: { familyName: 'User', givenName: 'Test' },
      displayName: 'Test User',
      locale: 'en-US',
      active: true,
      emails: [{ value: 'test.user@okta.local', type: 'work', primary: true }],
      externalId: '00ujl29u0le5T6Aj10h7',
    });
  });

  it('keeps what Entra creates, ignoring meta, schemas and the unsupported roles', () => {
    const user = normaliseUser(ENTRA_CREATE_USER);
    expect(user).toEqual({
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      active: true,
      emails: [
        {
          value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com',
          type: 'work',
          primary: true,
        },
      ],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    });
    expect('meta' in user).toBe(false);
  });

  it('ignores id, meta and schemas from the client', () => {
    const user = normaliseUser({
      id: 'chosen-by-client',
      meta: { created: 'yesterday' },
      schemas: ['x'],
      userName: 'a@x.com',
    });
    expect(user).toEqual({ userName: 'a@x.com' });
  });

  it('rewrites attribute names to the canonical case, sub-attributes and the extension too', () => {
    const user = normaliseUser({
      UserName: 'a@x.com',
      DisplayName: 'A',
      NAME: { GivenName: 'A', FAMILYNAME: 'B' },
      Emails: [{ Value: 'a@x.com', Type: 'work', Primary: 'True' }],
      [ENTERPRISE.toUpperCase()]: { Department: 'Sales', MANAGER: { Value: 'm-1' } },
    });
    expect(user).toEqual({
      userName: 'a@x.com',
      name: { familyName: 'B', givenName: 'A' },
      displayName: 'A',
      emails: [{ value: 'a@x.com', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Sales', manager: { value: 'm-1' } },
    });
  });

  it('keeps the enterprise extension (Entra sends employeeNumber, department, manager)', () => {
    const user = normaliseUser({
      userName: 'a@x.com',
      [ENTERPRISE]: {
        employeeNumber: '701984',
        costCenter: '4130',
        organization: 'Universal Studios',
        division: 'Theme Park',
        department: 'Tour Operations',
        manager: { value: '26118915-6090-4610-87a4-49d0767b8a73', displayName: 'John Smith' },
      },
    });
    expect(user[ENTERPRISE]).toEqual({
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: { value: '26118915-6090-4610-87a4-49d0767b8a73', displayName: 'John Smith' },
    });
  });

  it('accepts schema-qualified keys for core and extension attributes', () => {
    expect(
      normaliseUser({
        'urn:ietf:params:scim:schemas:core:2.0:User:userName': 'a@x.com',
        [`${ENTERPRISE}:department`]: 'Sales',
      }),
    ).toEqual({ userName: 'a@x.com', [ENTERPRISE]: { department: 'Sales' } });
  });

  it('reads the manager as a bare id (Entra) into { value }', () => {
    expect(
      normaliseUser({ userName: 'a@x.com', [ENTERPRISE]: { manager: 'm-1' } })[ENTERPRISE],
    ).toEqual({ manager: { value: 'm-1' } });
  });

  it('drops unknown attributes, such as a misspelled "adreses"', () => {
    const user = normaliseUser({
      userName: 'a@x.com',
      adreses: [{ locality: 'Paris' }],
      addresses: [{ locality: 'Lyon', Country: 'FR', Type: 'work', bogus: 1 }],
    });
    expect(user).toEqual({
      userName: 'a@x.com',
      addresses: [{ locality: 'Lyon', country: 'FR', type: 'work' }],
    });
  });

  it.each([
    [true, true],
    [false, false],
    ['True', true],
    ['False', false],
    ['TRUE', true],
    ['false', false],
  ])('reads active %j as %j', (active, expected) => {
    expect(normaliseUser({ userName: 'a@x.com', active }).active).toBe(expected);
  });

  it.each([
    ['active', 'yes', 'active'],
    ['active', 1, 'active'],
    ['userName', 42, 'userName'],
    ['displayName', { text: 'A' }, 'displayName'],
    ['name', 'A B', 'name'],
    ['emails', { value: 'a@x.com' }, 'emails'],
    ['emails', [{ value: 7 }], 'emails[0].value'],
    ['emails', [{ value: 'a@x.com', primary: 'yes' }], 'emails[0].primary'],
    [ENTERPRISE, 'Sales', ENTERPRISE],
  ])('refuses %s = %j with 400 invalidValue naming %s', (key, value, named) => {
    const e = scimErrorOf(() => normaliseUser({ userName: 'a@x.com', [key]: value }));
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(e.detail).toContain(named);
  });

  it.each([{}, { userName: '' }, { userName: '   ' }, { userName: null }, { displayName: 'A' }])(
    'requires userName (%j) with 400 invalidValue naming it',
    (input) => {
      const e = scimErrorOf(() => normaliseUser(input));
      expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(e.detail).toContain('userName');
    },
  );

  it('refuses a body that is not an object with 400 invalidSyntax', () => {
    for (const body of [null, 'a@x.com', [{ userName: 'a@x.com' }], 3]) {
      expect(scimErrorOf(() => normaliseUser(body))).toMatchObject({
        status: 400,
        scimType: 'invalidSyntax',
      });
    }
  });

  it('refuses two primary emails', () => {
    const e = scimErrorOf(() =>
      normaliseUser({
        userName: 'a@x.com',
        emails: [
          { value: 'a@x.com', primary: true },
          { value: 'b@x.com', primary: 'True' },
        ],
      }),
    );
    expect(e.scimType).toBe('invalidValue');
    expect(e.detail).toContain('emails');
  });

  it('treats null, [] and {} as unassigned and drops duplicate values', () => {
    expect(
      normaliseUser({
        userName: 'a@x.com',
        displayName: null,
        phoneNumbers: [],
        name: {},
        emails: [{ value: 'a@x.com' }, { value: 'a@x.com' }, {}],
      }),
    ).toEqual({ userName: 'a@x.com', emails: [{ value: 'a@x.com' }] });
  });

  it('does not let a "__proto__" key reach any prototype', () => {
    const input = JSON.parse(
      `{"userName":"a@x.com","__proto__":{"polluted":true},"${ENTERPRISE}:__proto__":{"polluted":true}}`,
    );
    const user = normaliseUser(input);
    expect(user).toEqual({ userName: 'a@x.com' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('normaliseGroup', () => {
  it('keeps an Okta group (empty members dropped)', () => {
    expect(
      normaliseGroup({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Test SCIMv2',
        members: [],
      }),
    ).toEqual({ displayName: 'Test SCIMv2' });
  });

  it('keeps an Entra group, ignoring the Microsoft schema and meta', () => {
    expect(
      normaliseGroup({
        schemas: [
          'urn:ietf:params:scim:schemas:core:2.0:Group',
          'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
        ],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      }),
    ).toEqual({ displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' });
  });

  it('accepts members as { value } objects in any case, dropping $ref: null and duplicates', () => {
    expect(
      normaliseGroup({
        DisplayName: 'acme:eng',
        Members: [
          { $ref: null, value: 'f648f8d5ea4e4cd38e9c' },
          { Value: 'u-2', Display: 'Two', TYPE: 'User' },
          { value: 'f648f8d5ea4e4cd38e9c', display: 'again' },
        ],
      }),
    ).toEqual({
      displayName: 'acme:eng',
      members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'u-2', display: 'Two', type: 'User' }],
    });
  });

  it("reads a member's displayName as its display, unless display is given", () => {
    const group = normaliseGroup({
      displayName: 'g',
      members: [
        { value: 'u1', displayName: 'new User' },
        { value: 'u2', display: 'Kept', DisplayName: 'Ignored' },
      ],
    });
    expect(group.members).toEqual([
      { value: 'u1', display: 'new User' },
      { value: 'u2', display: 'Kept' },
    ]);
  });

  it('accepts a bare string member as its id', () => {
    expect(
      normaliseGroup({ displayName: 'g', members: ['u-1', { value: 'u-2' }] }).members,
    ).toEqual([{ value: 'u-1' }, { value: 'u-2' }]);
  });

  it('refuses a member without value', () => {
    const e = scimErrorOf(() => normaliseGroup({ displayName: 'g', members: [{ display: 'x' }] }));
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(e.detail).toContain('members[0].value');
  });

  it('requires displayName with 400 invalidValue naming it', () => {
    const e = scimErrorOf(() => normaliseGroup({ members: [] }));
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(e.detail).toContain('displayName');
  });
});

const META = {
  id: '2819c223-7f76-453a-919d-413861904646',
  created: new Date('2011-08-01T18:29:49.793Z'),
  lastModified: '2011-08-01T18:29:49.793Z',
  version: 3,
  location: 'https://example.com/scim/v2/c/Users/2819c223-7f76-453a-919d-413861904646',
};

describe('toUserResource / toGroupResource', () => {
  it('adds schemas, id and meta to a user', () => {
    const user = normaliseUser(OKTA_CREATE_USER);
    const resource = toUserResource(user, META);
    expect(resource).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: META.id,
      ...user,
      meta: {
        resourceType: 'User',
        created: '2011-08-01T18:29:49.793Z',
        lastModified: '2011-08-01T18:29:49.793Z',
        location: META.location,
        version: 'W/"3"',
      },
    });
    expect(Object.keys(resource)[0]).toBe('schemas');
    expect(Object.keys(resource).at(-1)).toBe('meta');
  });

  it('lists the enterprise schema when the user has the extension', () => {
    const resource = toUserResource(
      normaliseUser({ userName: 'a@x.com', [ENTERPRISE]: { department: 'Sales' } }),
      { ...META, version: 'W/"abc"' },
    );
    expect(resource.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
    expect(resource.meta.version).toBe('W/"abc"');
  });

  it('renders a group', () => {
    const { version: _version, ...meta } = META;
    expect(toGroupResource({ displayName: 'g', members: [{ value: 'u-1' }] }, meta)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      id: META.id,
      displayName: 'g',
      members: [{ value: 'u-1' }],
      meta: {
        resourceType: 'Group',
        created: '2011-08-01T18:29:49.793Z',
        lastModified: '2011-08-01T18:29:49.793Z',
        location: META.location,
      },
    });
  });
});

describe('projectAttributes', () => {
  const user = toUserResource(
    normaliseUser({
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      displayName: 'Babs',
      emails: [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
      [ENTERPRISE]: { department: 'Sales', employeeNumber: '7' },
    }),
    META,
  );
  const always = { schemas: user.schemas, id: user.id, meta: user.meta };

  it('returns everything when neither parameter is given', () => {
    expect(projectAttributes(user, {})).toEqual(user);
  });

  it('returns only the named attributes, plus schemas, id and meta', () => {
    expect(projectAttributes(user, { attributes: ['userName'] })).toEqual({
      ...always,
      userName: 'bjensen@example.com',
    });
  });

  it('matches names case-insensitively and takes a comma-separated string', () => {
    expect(projectAttributes(user, { attributes: 'USERNAME,DisplayName' })).toEqual({
      ...always,
      userName: 'bjensen@example.com',
      displayName: 'Babs',
    });
  });

  it('projects sub-attributes of complex and multi-valued attributes', () => {
    expect(projectAttributes(user, { attributes: ['name.givenName', 'emails.value'] })).toEqual({
      ...always,
      name: { givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
    });
  });

  it('treats emails[type eq "work"] as emails', () => {
    expect(projectAttributes(user, { attributes: ['emails[type eq "work"]'] })).toEqual({
      ...always,
      emails: user.emails,
    });
  });

  it('understands schema-qualified names, extension attributes included', () => {
    expect(
      projectAttributes(user, {
        attributes: [
          'urn:ietf:params:scim:schemas:core:2.0:User:userName',
          `${ENTERPRISE}:department`,
        ],
      }),
    ).toEqual({
      ...always,
      userName: 'bjensen@example.com',
      [ENTERPRISE]: { department: 'Sales' },
    });
  });

  it('removes excluded attributes but never schemas, id or meta', () => {
    const out = projectAttributes(user, {
      excludedAttributes: ['emails', 'name.familyName', 'id', 'meta', 'schemas', ENTERPRISE],
    });
    expect(out).toEqual({
      ...always,
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara' },
      displayName: 'Babs',
    });
  });

  it('excludes members from a group, as Entra asks', () => {
    const group = toGroupResource({ displayName: 'g', members: [{ value: 'u-1' }] }, META);
    const out = projectAttributes(group, { excludedAttributes: 'members' });
    expect(out).toEqual({
      schemas: group.schemas,
      id: group.id,
      displayName: 'g',
      meta: group.meta,
    });
  });

  it('ignores names that match nothing', () => {
    expect(projectAttributes(user, { attributes: ['nope', 'urn:example:other:x'] })).toEqual(
      always,
    );
  });
});
