/**
 * The one CSV writer of the product: every CSV Provisio answers is made here. Cells come from
 * identity providers and people (names, emails), so a cell a spreadsheet would read as a formula
 * is neutralised (OWASP "CSV Injection"): one starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return — also after leading spaces, which some spreadsheets skip — gets a single
 * quote in front, and every field is quoted (RFC 4180, quotes doubled by csv-stringify).
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { stringify } from 'csv-stringify/sync';

/** What makes a spreadsheet read a cell as a formula, when it starts the cell. */
const FORMULA_START = /^ *[=+\-@\t\r]/;

/** A cell as written: text, with a cell a spreadsheet would evaluate neutralised. */
export function neutraliseCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A CSV document: a header row, then one row per record, CRLF line ends, every field quoted. */
export function toCsv<C extends string>(
  columns: readonly C[],
  records: readonly Readonly<Record<C, string | number | boolean | null | undefined>>[],
): string {
  const rows = records.map((r) => columns.map((c) => neutraliseCell(r[c])));
  return stringify([columns.map((c) => neutraliseCell(c)), ...rows], {
    quoted: true,
    quoted_empty: true,
    record_delimiter: 'windows',
  });
}

/**
 * A CSV answer: `text/csv; charset=utf-8`, downloaded as `filename` (an attachment), with any
 * further headers (a cursor to go on from).
 */
export function csvResponse(
  filename: string,
  csv: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  const safeName = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${safeName}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body: csv,
  };
}
