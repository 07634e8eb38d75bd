import { describe, expect, it } from 'vitest';
import {
  indexedEquality,
  matches,
  parseFilter,
  parsePath,
} from '../../../shared/scim/protocol/filter.ts';
import { toGroupResource, toUserResource } from '../../../shared/scim/protocol/resource.ts';
import { ENTERPRISE, scimErrorOf } from './support.ts';

const user = toUserResource(
  {
    userName: 'Bjensen@Example.com',
    name: { familyName: 'Employee', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    userType: 'Employee',
    title: 'Tour Guide',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    externalId: 'AbC-123',
    [ENTERPRISE]: { department: 'Tour Operations', manager: { value: 'm-1' } },
  },
  {
    id: '2819c223-7f76-453a-919d-413861904646',
    created: '2016-01-23T04:56:22Z',
    lastModified: '2016-05-13T04:42:34Z',
    location: 'https://example.com/Users/2819c223',
  },
);

const group = toGroupResource(
  {
    displayName: 'acme:Engineering',
    members: [{ value: 'u-1', display: 'One' }, { value: 'u-2' }],
  },
  {
    id: 'g-1',
    created: '2016-01-23T04:56:22Z',
    lastModified: '2016-01-23T04:56:22Z',
    location: 'https://example.com/Groups/g-1',
  },
);

const test = (filter: string, resource: unknown = user) => matches(parseFilter(filter), resource);

describe('matches', () => {
  it.each([
    // RFC 7644 §3.4.2.2 examples, where they apply to this user.
    ['userName eq "bjensen@example.com"', true],
    ['name.familyName co "O"', true],
    ['userName sw "J"', false],
    ['userName sw "B"', true],
    ['title pr', true],
    ['nickName pr', false],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified ge "2016-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified le "2016-05-13T04:42:34Z"', true],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      false,
    ],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      true,
    ],
  ])('%s → %s', (filter, expected) => {
    expect(test(filter)).toBe(expected);
  });

  it.each([
    ['name.FamilyName eq Employee', true],
    ['name.FamilyName eq Manager', false],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', true],
    ['meta.Created lt 2015-10-10T14:38:21.8617979-07:00', false],
  ])('accepts a bare word as a string value: %s → %s', (filter, expected) => {
    expect(test(filter)).toBe(expected);
  });

  it('matches attribute names and operators case-insensitively', () => {
    expect(test('USERNAME EQ "bjensen@example.com"')).toBe(true);
    expect(test('Emails[TYPE Eq "WORK"] AND Name.GivenName Sw "bar"')).toBe(true);
    expect(test('META.LASTMODIFIED GT "2011-01-01T00:00:00Z"')).toBe(true);
  });

  it('compares strings case-insensitively unless the attribute is caseExact', () => {
    expect(test('displayName eq "BABS JENSEN"')).toBe(true);
    expect(test('externalId eq "AbC-123"')).toBe(true);
    expect(test('externalId eq "abc-123"')).toBe(false);
    expect(test('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(test('id eq "2819c223-7f76-453a-919d-413861904646"')).toBe(true);
  });

  it('supports every operator on strings', () => {
    expect(test('title eq "tour guide"')).toBe(true);
    expect(test('title ne "tour guide"')).toBe(false);
    expect(test('title co "UR G"')).toBe(true);
    expect(test('title sw "tour"')).toBe(true);
    expect(test('title ew "GUIDE"')).toBe(true);
    expect(test('title gt "a"')).toBe(true);
    expect(test('title ge "tour guide"')).toBe(true);
    expect(test('title lt "a"')).toBe(false);
    expect(test('title le "tour guide"')).toBe(true);
  });

  it('treats ne as "no value is equal", so an absent attribute is not equal', () => {
    expect(test('nickName ne "Babs"')).toBe(true);
    expect(test('emails.type ne "work"')).toBe(false);
    expect(test('emails.type ne "other"')).toBe(true);
  });

  it('compares booleans, accepting True/False as bare words and strings', () => {
    expect(test('active eq true')).toBe(true);
    expect(test('active eq True')).toBe(true);
    expect(test('active eq "true"')).toBe(true);
    expect(test('active eq false')).toBe(false);
    expect(test('active ne false')).toBe(true);
    expect(test('emails[primary eq true]')).toBe(true);
    expect(test('emails[primary eq "True" and type eq "home"]')).toBe(false);
  });

  it('reaches into the enterprise extension with a schema-qualified name', () => {
    expect(test(`${ENTERPRISE}:department eq "tour operations"`)).toBe(true);
    expect(test(`${ENTERPRISE}:manager.value eq "m-1"`)).toBe(true);
    expect(test(`${ENTERPRISE}:manager.value eq "M-1"`)).toBe(false);
    expect(test('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjensen"')).toBe(true);
    expect(test('urn:example:other:2.0:User:userName sw "bjensen"')).toBe(false);
  });

  it('supports not, grouping and precedence (and binds tighter than or)', () => {
    expect(test('not (userName eq "bjensen@example.com")')).toBe(false);
    expect(test('userName eq "x" or title pr and active eq true')).toBe(true);
    expect(test('(userName eq "x" or title pr) and active eq false')).toBe(false);
    expect(test('not (not (title pr))')).toBe(true);
  });

  it('filters groups by displayName and members', () => {
    expect(test('displayName eq "ACME:engineering"', group)).toBe(true);
    expect(test('members[value eq "u-2"]', group)).toBe(true);
    expect(test('members.value eq "u-3"', group)).toBe(false);
    expect(test('members.value eq "U-1"', group)).toBe(false);
    expect(test('members eq "u-1"', group)).toBe(true);
  });

  it('returns false for an Entra "Test connection" random userName', () => {
    expect(test('userName eq "non-existent user"')).toBe(false);
    expect(test('userName eq "4f1d6b0c-9bb5-4c0a-b2a0-7a4f2f6d1b56"')).toBe(false);
  });

  it('works on bare attributes (no schemas) as on rendered users', () => {
    expect(
      matches(parseFilter('emails.value co "jensen.org"'), { userName: 'a', emails: user.emails }),
    ).toBe(true);
  });
});

describe('parseFilter', () => {
  it('builds an AST with and/or/not and value paths', () => {
    expect(parseFilter('a eq 1 and (b pr or not (c ne "x")) and emails[type eq "work"]')).toEqual({
      op: 'and',
      filters: [
        { op: 'eq', path: { attribute: 'a' }, value: 1 },
        {
          op: 'or',
          filters: [
            { op: 'pr', path: { attribute: 'b' } },
            { op: 'not', filter: { op: 'ne', path: { attribute: 'c' }, value: 'x' } },
          ],
        },
        {
          op: 'valuePath',
          path: { attribute: 'emails' },
          filter: { op: 'eq', path: { attribute: 'type' }, value: 'work' },
        },
      ],
    });
  });

  it('reads JSON string escapes, and keeps unknown ones literally', () => {
    expect(parseFilter('displayName eq "a\\"b\\\\c\\n"')).toMatchObject({ value: 'a"b\\c\n' });
    expect(parseFilter('userName eq "DOMAIN\\user"')).toMatchObject({ value: 'DOMAIN\\user' });
  });

  it.each([
    ['true', true],
    ['False', false],
    ['null', null],
    ['-1.5e2', -150],
    ['42', 42],
    ['Employee', 'Employee'],
    ['2015-10-10T14:38:21.8617979-07:00', '2015-10-10T14:38:21.8617979-07:00'],
  ])('reads the bare value %s as %j', (word, value) => {
    expect(parseFilter(`x eq ${word}`)).toMatchObject({ value });
  });

  it.each([
    '',
    '   ',
    'userName',
    'userName eq',
    'userName xx "a"',
    'userName eq "a" and',
    'userName eq "unterminated',
    '(userName eq "a"',
    'userName eq "a")',
    'emails[type eq "work"',
    // Entra's `emails[type eq "work"].value eq "x"` parses (protocol.test.ts); a tail without a value does not.
    'emails[type eq "work"].value eq',
    'emails[type[value eq 1] eq 2]',
    'name.givenName[x eq 1]',
    'a.b.c eq 1',
    '"userName" eq "a"',
    '1abc eq 1',
    'not userName eq "a"',
    'active gt true',
    'emails[primary co true]',
    `${'('.repeat(100)}a pr${')'.repeat(100)}`,
    'a pr '.repeat(3000),
  ])('refuses %j with 400 invalidFilter', (filter) => {
    expect(scimErrorOf(() => parseFilter(filter))).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
  });

  it('is fast on an unterminated string full of newlines (no ReDoS)', () => {
    const started = performance.now();
    expect(scimErrorOf(() => parseFilter(`x eq "${'\n'.repeat(5000)}`)).scimType).toBe(
      'invalidFilter',
    );
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('indexedEquality', () => {
  it.each([
    [
      'userName eq "test.user@okta.local"',
      { attribute: 'userName', value: 'test.user@okta.local' },
    ],
    ['USERNAME EQ "A@X.com"', { attribute: 'userName', value: 'A@X.com' }],
    [
      'externalId eq "00ujl29u0le5T6Aj10h7"',
      { attribute: 'externalId', value: '00ujl29u0le5T6Aj10h7' },
    ],
    ['ExternalID eq "x"', { attribute: 'externalId', value: 'x' }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"',
      { attribute: 'userName', value: 'a' },
    ],
    ['(userName eq "a")', { attribute: 'userName', value: 'a' }],
  ])('answers %s with one lookup', (filter, expected) => {
    expect(indexedEquality(parseFilter(filter))).toEqual(expected);
  });

  it.each([
    'userName ne "a"',
    'userName co "a"',
    'userName eq "a" and active eq true',
    'userName eq "a" or externalId eq "b"',
    'not (userName eq "a")',
    'displayName eq "a"',
    'emails.value eq "a"',
    'userName eq 42',
    'userName eq null',
    'urn:example:other:User:userName eq "a"',
  ])('leaves %s to a scan', (filter) => {
    expect(indexedEquality(parseFilter(filter))).toBeUndefined();
  });
});

describe('parsePath', () => {
  it.each([
    ['userName', { path: { attribute: 'userName' } }],
    ['name.givenName', { path: { attribute: 'name', subAttribute: 'givenName' } }],
    [`${ENTERPRISE}:department`, { path: { uri: ENTERPRISE, attribute: 'department' } }],
    [ENTERPRISE, { path: { attribute: ENTERPRISE } }],
    [
      'members[value eq "2819c223"]',
      {
        path: { attribute: 'members' },
        filter: { op: 'eq', path: { attribute: 'value' }, value: '2819c223' },
      },
    ],
    [
      'emails[type eq "work"].value',
      {
        path: { attribute: 'emails' },
        filter: { op: 'eq', path: { attribute: 'type' }, value: 'work' },
        subAttribute: 'value',
      },
    ],
  ])('parses %s', (text, expected) => {
    expect(parsePath(text)).toEqual(expected);
  });

  it.each([
    '',
    'a b',
    'emails[type eq "work"]x',
    'name.givenName[type eq "x"]',
    '[x eq 1]',
    'a..b',
  ])('refuses %j with 400 invalidPath', (text) => {
    expect(scimErrorOf(() => parsePath(text))).toMatchObject({
      status: 400,
      scimType: 'invalidPath',
    });
  });

  it('refuses a bad filter inside a path with 400 invalidFilter', () => {
    expect(scimErrorOf(() => parsePath('emails[type eq]')).scimType).toBe('invalidFilter');
  });
});
