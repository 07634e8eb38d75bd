import { describe, expect, it } from 'vitest';
import { checkHookSignature, signHookBody } from '../../../shared/sign-in/hook-signature.ts';

const SECRET = 's3cret';
const BODY = '{"email":"ada@acme.com"}';
const T = 1_800_000_000;

describe('hook signature', () => {
  it('accepts a body signed with the secret', () => {
    expect(checkHookSignature(SECRET, BODY, signHookBody(SECRET, BODY, T), T)).toBeUndefined();
  });
  it('accepts timestamps up to 5 minutes either way', () => {
    expect(
      checkHookSignature(SECRET, BODY, signHookBody(SECRET, BODY, T - 300), T),
    ).toBeUndefined();
    expect(
      checkHookSignature(SECRET, BODY, signHookBody(SECRET, BODY, T + 300), T),
    ).toBeUndefined();
  });
  it('refuses timestamps more than 5 minutes away, either way', () => {
    expect(checkHookSignature(SECRET, BODY, signHookBody(SECRET, BODY, T - 301), T)).toMatch(
      /window/,
    );
    expect(checkHookSignature(SECRET, BODY, signHookBody(SECRET, BODY, T + 301), T)).toMatch(
      /window/,
    );
  });
  it('refuses another secret, another body, and a missing or malformed header', () => {
    expect(checkHookSignature(SECRET, BODY, signHookBody('other', BODY, T), T)).toMatch(/match/);
    expect(checkHookSignature(SECRET, `${BODY} `, signHookBody(SECRET, BODY, T), T)).toMatch(
      /match/,
    );
    expect(checkHookSignature(SECRET, BODY, undefined, T)).toMatch(/Missing/);
    expect(checkHookSignature(SECRET, BODY, 'v1=abc', T)).toMatch(/Malformed/);
    expect(checkHookSignature(SECRET, BODY, `t=${T},v1=zz`, T)).toMatch(/match/);
  });
});
