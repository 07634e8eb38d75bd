/**
 * fast-check arbitraries shared by the fuzz tests (test/integration/*-fuzz.test.ts): strings and
 * values that stress validation and normalisation wherever the product takes outside input.
 */
import fc from 'fast-check';

/**
 * Strings that stress validation and normalisation: any text, unicode graphemes, lone
 * surrogates and control characters, huge strings, and near-valid values — roles, literals,
 * domains and email addresses, some on `fuzz.example`, the domain the fuzz tests set up.
 */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '%',
    '%E0%A4%A',
    '../..',
    'owner',
    'member',
    'admin',
    'true',
    'null',
    '-1',
    '1e309',
    'com',
    'gmail.com',
    'ünïcode.example',
    'xn--',
    'a..b',
    'x@y',
    'A-B',
    `${'a'.repeat(300)}.example`,
    'a@b',
    '@',
    'x@fuzz.example',
    ' X@FUZZ.EXAMPLE ',
    'ü@bücher.de',
    'a@b@c',
    `${'a'.repeat(70)}@fuzz.example`,
  ),
  fc.string({ minLength: 5000, maxLength: 20000 }),
  fc.emailAddress(),
  fc.emailAddress().map((e) => `${e.split('@')[0]}@fuzz.example`),
);

/** Any JSON-ish value: nasty strings, numbers, booleans, null, and arrays and objects of them. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyString, { maxLength: 5 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
);
