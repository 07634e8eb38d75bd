import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkClaimableDomain,
  describeTxtMiss,
  matchTxt,
  nextCheck,
  TXT_PREFIX,
  txtValue,
} from '../../../shared/domains/rules.ts';

const refusal = async (input: string) => {
  const out = await checkClaimableDomain(input);
  return out.ok ? undefined : out.refusal.reason;
};

describe('which domains a scope may claim', () => {
  it.each([
    'com',
    'uk',
    'co.uk',
    'com.au',
    // The Public Suffix List's private section: hosting and tenant suffixes.
    'github.io',
    'blogspot.com',
    's3.amazonaws.com',
    'herokuapp.com',
    // Not in the list, but a shared tenant suffix all the same (SPEC §1).
    'onmicrosoft.com',
    'ONMICROSOFT.COM.',
  ])('refuses the public suffix %s', async (domain) => {
    expect(await refusal(domain)).toBe('public-suffix');
  });

  it.each([
    'gmail.com',
    'GoogleMail.com',
    'outlook.com',
    'hotmail.com',
    'yahoo.com',
    'icloud.com',
    'proton.me',
    'gmx.de',
    'qq.com',
    '163.com',
  ])('refuses the free mailbox provider %s', async (domain) => {
    expect(await refusal(domain)).toBe('free-mailbox');
  });

  it.each(['', ' ', 'localhost', '1.2.3.4', 'a..b', 'exa mple.com', 'ada@acme.com', '-acme.com'])(
    'refuses %j as no domain at all',
    async (domain) => {
      expect(await refusal(domain)).toBe('invalid');
    },
  );

  it.each([
    ['acme.com', 'acme.com'],
    ['Acme.COM.', 'acme.com'],
    ['  sub.acme.co.uk ', 'sub.acme.co.uk'],
    ['acme.github.io', 'acme.github.io'],
    ['contoso.onmicrosoft.com', 'contoso.onmicrosoft.com'],
    ['mail.gmail.com', 'mail.gmail.com'],
    ['Bücher.DE', 'xn--bcher-kva.de'],
    ['ｂüｃｈｅｒ．ｄｅ', 'xn--bcher-kva.de'],
    ['bu\u0308cher.de', 'xn--bcher-kva.de'],
  ])('accepts %j as %s', async (input, domain) => {
    expect(await checkClaimableDomain(input)).toEqual({ ok: true, domain });
  });

  it('says why in words a person understands', async () => {
    const out = await checkClaimableDomain('gmail.com');
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.refusal.message).toContain('free mailbox provider');
    const psl = await checkClaimableDomain('co.uk');
    if (!psl.ok) expect(psl.refusal.message).toContain('public suffix');
  });

  const label = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/);
  const unicode = fc.constantFrom('bücher', 'münchen', 'españa', 'δοκιμή', 'café', 'zürich');
  const claimable = fc
    .tuple(fc.oneof(label, unicode), fc.constantFrom('com', 'de', 'co.uk', 'io', 'example'))
    .map(([l, tld]) => `${l}.${tld}`);

  it('gives every spelling of a domain (case, spaces, trailing dot, unicode form) one claim', async () => {
    await fc.assert(
      fc.asyncProperty(
        claimable,
        fc.boolean(),
        fc.constantFrom('', ' ', '\t'),
        fc.boolean(),
        fc.constantFrom('NFC', 'NFD', 'NFKC', 'NFKD') as fc.Arbitrary<
          'NFC' | 'NFD' | 'NFKC' | 'NFKD'
        >,
        async (domain, upper, pad, dot, form) => {
          const canonical = await checkClaimableDomain(domain);
          expect(canonical.ok).toBe(true);
          const spelled = `${pad}${(upper ? domain.toUpperCase() : domain).normalize(form)}${dot ? '.' : ''}${pad}`;
          expect(await checkClaimableDomain(spelled)).toEqual(canonical);
        },
      ),
    );
  });

  it('is idempotent: a claimed domain claims as itself', async () => {
    await fc.assert(
      fc.asyncProperty(claimable, async (domain) => {
        const once = await checkClaimableDomain(domain);
        if (!once.ok) return;
        expect(await checkClaimableDomain(once.domain)).toEqual(once);
      }),
    );
  });
});

describe('verification by TXT record', () => {
  it('asks for provisio-verification=<token>', () => {
    expect(txtValue('abc')).toBe(`${TXT_PREFIX}abc`);
    expect(TXT_PREFIX).toBe('provisio-verification=');
  });

  it('verifies only on an exact match among the records', () => {
    expect(
      matchTxt(['v=spf1 -all', 'provisio-verification=abc'], 'provisio-verification=abc'),
    ).toEqual({
      verified: true,
      found: ['v=spf1 -all', 'provisio-verification=abc'],
    });
    expect(matchTxt(['provisio-verification=abcd'], 'provisio-verification=abc').verified).toBe(
      false,
    );
    expect(matchTxt([' provisio-verification=abc'], 'provisio-verification=abc').verified).toBe(
      false,
    );
    expect(matchTxt([], 'provisio-verification=abc').verified).toBe(false);
  });

  it('says what it found when verification fails', () => {
    expect(describeTxtMiss('acme.com', 'provisio-verification=abc', [])).toContain(
      'No TXT record found',
    );
    expect(
      describeTxtMiss('acme.com', 'provisio-verification=abc', ['provisio-verification=old']),
    ).toContain('"provisio-verification=old"');
    expect(describeTxtMiss('acme.com', 'provisio-verification=abc', ['v=spf1 -all'])).toContain(
      '1 TXT record(s) found',
    );
  });

  it('schedules the domain checker hourly while pending and daily once verified', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(nextCheck(now, 'pending')).toBe('2026-01-01T01:00:00.000Z');
    expect(nextCheck(now, 'verified')).toBe('2026-01-02T00:00:00.000Z');
  });
});
