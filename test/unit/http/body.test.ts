import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.ts';
import { bodyText } from '../../../shared/http/body.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('bodyText', () => {
  it('reads a text body as sent and decodes a base64-encoded one', () => {
    expect(bodyText({ body: '{"a":"é"}', isBase64Encoded: false })).toBe('{"a":"é"}');
    expect(bodyText({ body: b64('{"a":"é"}'), isBase64Encoded: true })).toBe('{"a":"é"}');
  });

  it('is empty when there is no body', () => {
    expect(bodyText({ isBase64Encoded: false })).toBe('');
    expect(bodyText({ isBase64Encoded: true })).toBe('');
  });

  it('accepts a body of exactly maxBytes bytes, counted after decoding', () => {
    const text = 'é'.repeat(5); // 10 bytes
    expect(bodyText({ body: text, isBase64Encoded: false }, { maxBytes: 10 })).toBe(text);
    expect(bodyText({ body: b64(text), isBase64Encoded: true }, { maxBytes: 10 })).toBe(text);
  });

  it('refuses one byte more with a 413 naming both sizes, base64 or not', () => {
    for (const event of [
      { body: 'é'.repeat(5), isBase64Encoded: false },
      { body: b64('é'.repeat(5)), isBase64Encoded: true },
    ]) {
      let thrown: unknown;
      try {
        bodyText(event, { maxBytes: 9 });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({
        statusCode: 413,
        expose: true,
        message: 'The request body is 10 bytes; at most 9 are accepted',
      });
    }
  });
});
