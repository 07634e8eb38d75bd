import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import {
  type CursorShape,
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  parsePageRequest,
} from '../../../shared/model/page.ts';

const field = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error instanceof ValidationError ? error.field : `not a validation error: ${error}`;
  }
  return undefined;
};

describe('limit', () => {
  it('defaults to 50', () => {
    expect(parsePageRequest(undefined)).toEqual({ limit: DEFAULT_LIMIT, cursor: undefined });
    expect(DEFAULT_LIMIT).toBe(50);
  });

  it.each(['1', '50', '100', ' 7 '])('accepts %j', (limit) => {
    expect(parsePageRequest({ limit }).limit).toBe(Number(limit));
  });

  it.each(['0', '101', '-1', '1.5', 'ten', '', '1e2', '0x10'])(
    'refuses %j with a 400 naming limit',
    (limit) => {
      expect(field(() => parsePageRequest({ limit }))).toBe('limit');
    },
  );

  it('refuses an empty cursor', () => {
    expect(field(() => parsePageRequest({ cursor: '' }))).toBe('cursor');
  });
});

describe('cursors', () => {
  const table: CursorShape = {
    attributes: ['pk', 'sk'],
    partition: { attribute: 'pk', value: 'ORG#1' },
    sort: { attribute: 'sk', prefix: 'TEAM#' },
  };
  const index: CursorShape = {
    attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    partition: { attribute: 'gsi1pk', value: 'ORG#1' },
    sort: { attribute: 'gsi1sk', prefix: 'MEMBER#' },
  };

  it('round-trips any key of the list (and is opaque base64url)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        const key = { pk: `ACCOUNT#${a}`, sk: `MEMBER#1`, gsi1pk: 'ORG#1', gsi1sk: `MEMBER#${b}` };
        const cursor = encodeCursor(key);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor, index)).toEqual(key);
      }),
    );
  });

  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['an array', encode(['ORG#1', 'TEAM#a'])],
    ['another partition', encode({ pk: 'ORG#2', sk: 'TEAM#a' })],
    ['another prefix', encode({ pk: 'ORG#1', sk: 'EVENT#a' })],
    ['a missing attribute', encode({ pk: 'ORG#1' })],
    ['an extra attribute', encode({ pk: 'ORG#1', sk: 'TEAM#a', gsi1pk: 'X' })],
    ['a non-string value', encode({ pk: 'ORG#1', sk: 5 })],
  ])('refuses %s with a 400 naming cursor', (_, cursor) => {
    expect(field(() => decodeCursor(cursor, table))).toBe('cursor');
  });

  it('refuses any tampering of a real cursor', () => {
    const good = encodeCursor({ pk: 'ORG#1', sk: 'TEAM#eng' });
    expect(decodeCursor(good, table)).toEqual({ pk: 'ORG#1', sk: 'TEAM#eng' });
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.constantFrom(...'ABCxyz019-_'), (i, c) => {
        const tampered = `${good.slice(0, i)}${c}${good.slice(i + 1)}`;
        if (tampered === good) return;
        try {
          const key = decodeCursor(tampered, table);
          // A flip may still decode to a key of this very list; it never points anywhere else.
          expect(key.pk).toBe('ORG#1');
          expect(key.sk?.startsWith('TEAM#')).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toBe('cursor');
        }
      }),
    );
  });
});
