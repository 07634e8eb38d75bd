import { describe, expect, it } from 'vitest';
import { parseListQuery, splitAttributeList } from '../../../shared/scim/protocol/query.ts';
import { scimErrorOf } from './support.ts';

describe('parseListQuery', () => {
  it('defaults to startIndex 1 and count 100 with no filter', () => {
    expect(parseListQuery({})).toEqual({ startIndex: 1, count: 100 });
  });

  it('reads what Okta sends when it looks a user up', () => {
    // GET /scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100
    const q = parseListQuery({
      filter: 'userName eq "test.user@okta.local"',
      startIndex: '1',
      count: '100',
    });
    expect(q.startIndex).toBe(1);
    expect(q.count).toBe(100);
    expect(q.filter).toEqual({
      op: 'eq',
      path: { attribute: 'userName' },
      value: 'test.user@okta.local',
    });
  });

  it('reads what Entra sends for a group (excludedAttributes=members)', () => {
    const q = parseListQuery({
      excludedAttributes: 'members',
      filter: 'displayName eq "displayName"',
    });
    expect(q.excludedAttributes).toEqual(['members']);
    expect(q.filter).toMatchObject({ op: 'eq', path: { attribute: 'displayName' } });
  });

  it('matches parameter names case-insensitively', () => {
    const q = parseListQuery({
      FILTER: 'userName eq "a"',
      StartIndex: '3',
      COUNT: '7',
      Attributes: 'userName,emails',
      excludedattributes: 'name',
    });
    expect(q).toMatchObject({
      startIndex: 3,
      count: 7,
      attributes: ['userName', 'emails'],
      excludedAttributes: ['name'],
    });
    expect(q.filter).toBeDefined();
  });

  it.each([
    ['0', 1],
    ['-5', 1],
    ['1', 1],
    ['42', 42],
  ])('reads startIndex %j as %d (below 1 is 1)', (startIndex, expected) => {
    expect(parseListQuery({ startIndex }).startIndex).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['-1', 0],
    ['10', 10],
    ['100', 100],
    ['1000', 100],
  ])('reads count %j as %d (negative is 0, at most 100)', (count, expected) => {
    expect(parseListQuery({ count }).count).toBe(expected);
  });

  it.each(['ten', '1.5', '0x10', '1e2', '2,3'])(
    'refuses a non-numeric startIndex or count %j with 400 invalidValue',
    (value) => {
      for (const name of ['startIndex', 'count']) {
        const e = scimErrorOf(() => parseListQuery({ [name]: value }));
        expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
        expect(e.detail).toContain(name);
      }
    },
  );

  it('refuses a bad filter with 400 invalidFilter', () => {
    expect(scimErrorOf(() => parseListQuery({ filter: 'userName eq' }))).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
  });

  it('treats empty parameters as absent', () => {
    expect(
      parseListQuery({ filter: ' ', count: '', startIndex: undefined, attributes: '' }),
    ).toEqual({ startIndex: 1, count: 100 });
  });
});

describe('splitAttributeList', () => {
  it('splits on commas, trims, and keeps commas inside a value filter', () => {
    expect(splitAttributeList(' userName , emails[type eq "a,b"].value,,name.givenName')).toEqual([
      'userName',
      'emails[type eq "a,b"].value',
      'name.givenName',
    ]);
  });
});
