/**
 * SPEC §8, the one trust decision: the attacker table every door shares
 * (test/support/attackers.ts), asserted on the pure rule.
 */
import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../../shared/domains/normalise.ts';
import {
  cognitoIdentity,
  connectionServes,
  primaryProvider,
  vouch,
} from '../../../shared/trust/vouch.ts';
import { ATTACKERS, FRIENDS, trustTable } from '../../support/attackers.ts';

const tenants = trustTable({
  orgId: 'o1',
  orgName: 'acme',
  connectionId: 'c1',
  providerName: 'provisio-acme',
  domain: 'acme.com',
});
const { connection, connectionFor } = tenants;

describe('whom an identity vouches for (SPEC §8)', () => {
  for (const a of ATTACKERS) {
    it(`vouches for nobody: ${a.name}`, () => {
      const identity = cognitoIdentity(a.attributes(tenants));
      const trust = vouch(identity, connectionFor(identity.provider));
      expect(trust).toMatchObject({ trusted: false, reason: a.reason });
    });
  }
  for (const f of FRIENDS) {
    it(`vouches: ${f.name}`, () => {
      const identity = cognitoIdentity(f.attributes(tenants, 'ada@acme.com'));
      const trust = vouch(identity, connectionFor(identity.provider));
      expect(trust).toMatchObject({ trusted: true, via: f.via });
    });
  }

  it('a connection with no domain (inactive) vouches for nobody', () => {
    const inactive = { ...connection, domains: [] };
    const trust = vouch(
      { email: 'ada@acme.com', emailVerified: true, provider: inactive.providerName },
      inactive,
    );
    expect(trust).toMatchObject({ trusted: false, reason: 'outside_connection_domains' });
  });

  it("never takes a connection for another provider's", () => {
    const trust = vouch(
      { email: 'ada@acme.com', emailVerified: true, provider: 'Other' },
      connection,
    );
    expect(trust).toMatchObject({ trusted: false, reason: 'unbound_provider' });
    expect(trust.connection).toBeUndefined();
  });

  it('serves exact domains only: no subdomain, no parent', () => {
    expect(connectionServes(connection, 'acme.com')).toBe(true);
    expect(connectionServes(connection, 'eu.acme.com')).toBe(false);
    expect(connectionServes(connection, 'com')).toBe(false);
  });

  it.each([
    [undefined, null],
    ['', null],
    ['[]', undefined],
    ['[{', undefined],
    ['{"providerName":"X"}', undefined],
    ['[{"providerName":"  "}]', undefined],
    ['[{"providerName":"Okta"}]', 'Okta'],
    [[{ providerName: 'Okta' }], 'Okta'],
    ['[{"providerName":"A","primary":"false"},{"providerName":"B","primary":"true"}]', 'B'],
  ])('reads the primary provider of %j as %j (unreadable fails closed)', (raw, expected) => {
    expect(primaryProvider(raw)).toBe(expected);
  });
});

describe('addresses are compared as written (SPEC §8)', () => {
  it('lower-cases ASCII letters only', () => {
    expect(normaliseEmail('Kate.SMITH@Victim.com')?.email).toBe('kate.smith@victim.com');
  });
  it('keeps the Kelvin sign: Kate@ with U+212A is not kate@', () => {
    const kelvin = normaliseEmail('\u212Aate@victim.com');
    expect(kelvin?.email).toBe('\u212Aate@victim.com');
    expect(kelvin?.email).not.toBe('kate@victim.com');
  });
  it('keeps a full-width letter and a decomposed accent as written', () => {
    expect(normaliseEmail('\uFF41da@victim.com')?.email).toBe('\uFF41da@victim.com');
    expect(normaliseEmail('jose\u0301@victim.com')?.email).toBe('jose\u0301@victim.com');
    expect(normaliseEmail('\u00C9MILE@victim.com')?.email).toBe('\u00C9mile@victim.com');
  });
  it('still IDNA-converts the domain', () => {
    expect(normaliseEmail('ada@BÜCHER.de')?.email).toBe('ada@xn--bcher-kva.de');
  });
});
