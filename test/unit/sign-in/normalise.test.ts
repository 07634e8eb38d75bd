import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { fromHookBody } from '../../../shared/sign-in/hook-body.ts';
import {
  fromCognitoAttributes,
  parseGroupsAttribute,
  primaryProviderName,
  UnusableSignInError,
} from '../../../shared/sign-in/normalise.ts';

describe('§2 Cognito attributes', () => {
  it('normalises the email: trimmed, lower-cased, unicode domain to punycode', () => {
    const s = fromCognitoAttributes(
      { email: '  Ada@Bücher.DE ', email_verified: 'true' },
      'custom:groups',
    );
    expect(s).toMatchObject({
      email: 'ada@xn--bcher-kva.de',
      domain: 'xn--bcher-kva.de',
      emailVerified: true,
    });
  });
  it('treats only the string "true" as a verified email', () => {
    for (const v of ['false', 'True', '1', undefined]) {
      expect(
        fromCognitoAttributes({ email: 'a@acme.com', email_verified: v }, 'custom:groups')
          .emailVerified,
      ).toBe(false);
    }
  });
  it('takes name, else given and family name joined by one space', () => {
    expect(fromCognitoAttributes({ email: 'a@acme.com', name: ' Ada  L ' }, 'g').name).toBe(
      'Ada L',
    );
    expect(
      fromCognitoAttributes(
        { email: 'a@acme.com', given_name: 'Ada', family_name: 'Lovelace' },
        'g',
      ).name,
    ).toBe('Ada Lovelace');
    expect(fromCognitoAttributes({ email: 'a@acme.com', family_name: 'Lovelace' }, 'g').name).toBe(
      'Lovelace',
    );
    expect(fromCognitoAttributes({ email: 'a@acme.com', name: '   ' }, 'g').name).toBeUndefined();
  });
  it('takes the connection from the primary identity', () => {
    const identities = JSON.stringify([
      { providerName: 'Google', primary: 'false' },
      { providerName: 'AcmeOkta', primary: 'true' },
    ]);
    expect(fromCognitoAttributes({ email: 'a@acme.com', identities }, 'g').connection).toBe(
      'AcmeOkta',
    );
  });
  it('reads groups from the configured attribute', () => {
    const s = fromCognitoAttributes(
      { email: 'a@acme.com', 'custom:teams': '["acme:dev","acme:ops"]' },
      'custom:teams',
    );
    expect(s.groups).toEqual(['acme:dev', 'acme:ops']);
  });
  it.each([undefined, '', 'not-an-email', 'a@b@c.com', '@acme.com', 'ada@', 'ada@localhost'])(
    'refuses the unusable email %j',
    (email) => {
      expect(() => fromCognitoAttributes({ email }, 'g')).toThrow(UnusableSignInError);
    },
  );
});

describe('§2 identities and groups parsing', () => {
  it.each([
    [undefined, undefined],
    ['not json', undefined],
    ['[]', undefined],
    ['{"providerName":"X"}', undefined],
    ['[{"providerName":"Okta"}]', 'Okta'],
    ['[{"providerName":"A","primary":false},{"providerName":"B","primary":true}]', 'B'],
  ])('primary provider of %j is %j', (raw, expected) => {
    expect(primaryProviderName(raw)).toBe(expected);
  });
  it.each([
    ['["a:b", "c:d"]', ['a:b', 'c:d']],
    ['a:b, c:d ,,', ['a:b', 'c:d']],
    ['[1, "a:b", null]', ['a:b']],
    ['[broken', ['[broken']],
    ['', []],
    ['a:b,a:b', ['a:b']],
  ])('groups %j', (raw, expected) => {
    expect(parseGroupsAttribute(raw)).toEqual(expected);
  });
});

describe('§2 HTTP hook body', () => {
  it('normalises a full body', () => {
    expect(
      fromHookBody({
        email: 'ADA@acme.com',
        emailVerified: true,
        givenName: 'Ada',
        familyName: 'L',
        connection: ' Okta ',
        groups: ['acme:dev'],
      }),
    ).toEqual({
      email: 'ada@acme.com',
      domain: 'acme.com',
      emailVerified: true,
      name: 'Ada L',
      connection: 'Okta',
      groups: ['acme:dev'],
    });
  });
  it('defaults emailVerified to false', () => {
    expect(fromHookBody({ email: 'a@acme.com' }).emailVerified).toBe(false);
  });
  it.each([
    [null, 'body'],
    [[], 'body'],
    [{}, 'email'],
    [{ email: 'nope' }, 'email'],
    [{ email: 'a@acme.com', emailVerified: 'true' }, 'emailVerified'],
    [{ email: 'a@acme.com', name: 5 }, 'name'],
    [{ email: 'a@acme.com', groups: 'a:b' }, 'groups'],
    [{ email: 'a@acme.com', groups: [1] }, 'groups'],
    [{ email: 'a@acme.com', connection: {} }, 'connection'],
  ])('refuses %j naming the field %s', (body, field) => {
    try {
      fromHookBody(body);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe(field);
    }
  });
});
