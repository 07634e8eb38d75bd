/**
 * Reading the rows of a bulk invitation (SPEC §13): CSV through csv-parse (BOM, quoting, CRLF,
 * columns in any order) and JSON, each row checked on its own; only an unreadable body is a 400.
 */
import { describe, expect, it } from 'vitest';
import { checkRow, readRows } from '../../../shared/admin/bulk-rows.ts';
import { AppError, ValidationError } from '../../../shared/errors.ts';

const rows = (type: string, body: string) => readRows(type, body).map(checkRow);

describe('bulk invitation rows', () => {
  it('reads CSV with a BOM, CRLF, quoted commas and columns in any order', () => {
    const csv =
      '\uFEFFteam,"email",role\r\n"a,b"," Ann@Example.COM ",\r\nops,bob@example.com,OWNER\r\n\r\n';
    expect(rows('text/csv; charset=utf-8', csv)).toEqual([
      {
        row: 1,
        email: 'ann@example.com',
        invalid: "team: must be a slug: 2–39 characters a-z, 0-9 and '-'",
      },
      { row: 2, email: 'bob@example.com', role: 'owner', team: 'ops' },
    ]);
  });

  it('makes a row with more fields than the header invalid, and an email-only header enough', () => {
    expect(rows('text/csv', 'email\nann@example.com\nbob@example.com,extra\n')).toEqual([
      { row: 1, email: 'ann@example.com', role: 'member', team: null },
      { row: 2, email: 'bob@example.com', invalid: 'has 2 fields; the header names 1' },
    ]);
  });

  it('reads JSON rows, each checked on its own', () => {
    expect(
      rows(
        'application/json',
        JSON.stringify({
          invitations: [{ email: 'a@x.com', role: 'member', team: null }, { email: 'nope' }, 3],
        }),
      ),
    ).toEqual([
      { row: 1, email: 'a@x.com', role: 'member', team: null },
      { row: 2, email: null, invalid: 'email: is not an email address' },
      { row: 3, email: null, invalid: 'is not an object' },
    ]);
  });

  it.each([
    ['text/csv', 'email\n"unclosed\n', 'body'],
    ['text/csv', 'mail\nx@y.com\n', 'header'],
    ['text/csv', 'email,email\nx@y.com,x@y.com\n', 'header'],
    ['text/csv', '', 'body'],
    ['text/csv', 'email\n', 'invitations'],
    ['text/csv', `email\n${'a@b.com\n'.repeat(1001)}`, 'invitations'],
    ['application/json', '{"invitations":', 'body'],
    ['application/json', '[]', 'body'],
    ['application/json', '{"invitations":[],"x":1}', 'x'],
  ])('%s %j is 400 naming %s', (type, body, field) => {
    let error: unknown;
    try {
      readRows(type, body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it('refuses another media type with 415', () => {
    for (const type of ['text/plain', 'application/xml']) {
      let error: unknown;
      try {
        readRows(type, 'email\nx@y.com');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ statusCode: 415 });
    }
  });
});
