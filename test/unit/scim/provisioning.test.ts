import { describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../../shared/model/writes.ts';
import { normaliseUser } from '../../../shared/scim/protocol/resource.ts';
import { groupTarget, personEmail } from '../../../shared/scim/provisioning.ts';
import { hashScimToken, newScimToken, scimTokenMatches } from '../../../shared/sso/scim-token.ts';
import { scimErrorOf } from './support.ts';

const conn = { domains: ['acme.com', 'xn--bcher-kva.example'] } as ConnectionRecord;
const user = (body: Record<string, unknown>) => normaliseUser({ userName: 'x', ...body });

describe('personEmail: who a SCIM user is (SPEC §10, §8)', () => {
  it('is userName when it is an address on a connection domain, normalised', () => {
    expect(personEmail(user({ userName: '  Ada@ACME.com ' }), conn)).toBe('ada@acme.com');
    expect(personEmail(user({ userName: 'ada@bücher.example' }), conn)).toBe(
      'ada@xn--bcher-kva.example',
    );
  });

  it('refuses a userName address on another domain, whatever the emails say', () => {
    const e = scimErrorOf(() =>
      personEmail(
        user({ userName: 'ada@evil.com', emails: [{ value: 'ada@acme.com', primary: true }] }),
        conn,
      ),
    );
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(e.detail).toContain('acme.com');
  });

  it('otherwise takes the primary, then a work, then any email on a connection domain', () => {
    expect(
      personEmail(
        user({
          emails: [
            { value: 'home@acme.com', type: 'home' },
            { value: 'ada@gmail.com', type: 'work', primary: true },
            { value: 'work@acme.com', type: 'work' },
          ],
        }),
        conn,
      ),
    ).toBe('work@acme.com');
    expect(
      personEmail(user({ emails: [{ value: 'emailName357' }, { value: 'h@acme.com' }] }), conn),
    ).toBe('h@acme.com');
  });

  it('refuses a user with no address on a connection domain', () => {
    expect(scimErrorOf(() => personEmail(user({}), conn))).toMatchObject({ status: 400 });
    expect(
      scimErrorOf(() => personEmail(user({ emails: [{ value: 'a@gmail.com' }] }), conn)),
    ).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});

describe('groupTarget: org:team group names', () => {
  it('reads org (case-insensitive) and team', () => {
    expect(groupTarget('Acme:dev')).toEqual({ orgName: 'acme', team: 'dev' });
    expect(groupTarget(' acme : platform team ')).toEqual({
      orgName: 'acme',
      team: 'platform team',
    });
    expect(groupTarget('acme:ops:oncall')).toEqual({ orgName: 'acme', team: 'ops:oncall' });
  });

  it('is nothing for other names', () => {
    for (const name of ['Everyone', ':dev', 'acme:', 'acme: ']) {
      expect(groupTarget(name)).toBeUndefined();
    }
  });
});

describe('SCIM tokens', () => {
  it('are random, stored as SHA-256, and match only themselves', () => {
    const a = newScimToken();
    const b = newScimToken();
    expect(a).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    const hash = hashScimToken(a);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(a.slice(5));
    expect(scimTokenMatches(a, hash)).toBe(true);
    expect(scimTokenMatches(b, hash)).toBe(false);
    expect(scimTokenMatches(`${a} `, hash)).toBe(false);
    expect(scimTokenMatches(a, 'not-hex')).toBe(false);
  });
});
