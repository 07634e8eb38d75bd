import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseDomain, normaliseEmail } from '../../../shared/domains/normalise.ts';

describe('domain normalisation', () => {
  it.each([
    ['Example.COM.', 'example.com'],
    [' bücher.de ', 'xn--bcher-kva.de'],
    ['BÜCHER.DE', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'],
    ['sub.acme.com', 'sub.acme.com'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseDomain(input)).toBe(expected);
  });
  it.each([
    '',
    'localhost',
    '1.2.3.4',
    'a..b',
    '-a.com',
    'exa mple.com',
    'a@b.com',
    'acme.com/x',
    `${'a'.repeat(64)}.com`,
  ])('refuses %j', (input) => {
    expect(normaliseDomain(input)).toBeUndefined();
  });

  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
  const unicodeLabel = fc.constantFrom(
    'bücher',
    'münchen',
    'españa',
    'δοκιμή',
    '例え',
    'straße',
    'café',
  );
  const domain = fc
    .tuple(fc.array(fc.oneof(label, unicodeLabel), { minLength: 1, maxLength: 3 }), label)
    .map(([ls, tld]) => [...ls, tld].join('.'));

  it('is idempotent', () => {
    fc.assert(
      fc.property(domain, (d) => {
        const once = normaliseDomain(d);
        expect(once).toBeDefined();
        expect(normaliseDomain(once!)).toBe(once);
      }),
    );
  });

  it('maps case, whitespace, trailing dots and unicode forms of one domain to one value', () => {
    const variant = fc.tuple(
      domain,
      fc.boolean(),
      fc.constantFrom('', ' ', '\t', '  '),
      fc.boolean(),
      fc.constantFrom('NFC', 'NFD', 'NFKC', 'NFKD') as fc.Arbitrary<
        'NFC' | 'NFD' | 'NFKC' | 'NFKD'
      >,
    );
    fc.assert(
      fc.property(variant, ([d, upper, pad, dot, form]) => {
        // Upper-case only letters that come back by lower-casing ('ß' becomes 'SS', another domain).
        const cased = upper
          ? [...d].map((c) => (c.toUpperCase().toLowerCase() === c ? c.toUpperCase() : c)).join('')
          : d;
        const spelled = `${pad}${cased.normalize(form)}${dot ? '.' : ''}${pad}`;
        expect(normaliseDomain(spelled)).toBe(normaliseDomain(d));
      }),
    );
  });
});

describe('email normalisation', () => {
  it('lower-cases and converts the domain', () => {
    expect(normaliseEmail(' Ada.L@Bücher.de ')).toEqual({
      email: 'ada.l@xn--bcher-kva.de',
      local: 'ada.l',
      domain: 'xn--bcher-kva.de',
    });
  });
  it.each([
    undefined,
    42,
    '',
    'ada',
    'a@b@c.com',
    '@acme.com',
    'ad a@acme.com',
    `${'a'.repeat(65)}@acme.com`,
  ])('refuses %j', (input) => {
    expect(normaliseEmail(input)).toBeUndefined();
  });
});
