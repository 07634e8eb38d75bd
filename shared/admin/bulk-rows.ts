/**
 * The rows of a bulk invitation (SPEC §13), read from JSON `{invitations:[…]}` or from CSV
 * (header `email,role,team`, UTF-8 with or without a BOM, RFC 4180 quoting, parsed by
 * `csv-parse`) and checked one by one: a row that cannot be read is an `invalid` outcome with the
 * reason, not a 400 for the whole body. Only what makes the body unreadable is a 400. Pure.
 */
import { parse } from 'csv-parse/sync';
import { normaliseEmail } from '../domains/normalise.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { Role } from '../model/types.ts';
import { MAX_BULK_ROWS } from '../rules/invitations.ts';
import { SLUG } from '../sign-in/decide.ts';

/** A row as sent, numbered from 1 (the line after a CSV header is row 1). */
export interface RawRow {
  row: number;
  email: unknown;
  role: unknown;
  team: unknown;
  /** Why the row could not be read at all (a CSV line with more fields than the header). */
  unreadable?: string;
}

/** A row that reads as an invitation. */
export interface ValidRow {
  row: number;
  email: string;
  role: Role;
  team: string | null;
}

export type CheckedRow = ValidRow | { row: number; email: string | null; invalid: string };

const COLUMNS = ['email', 'role', 'team'] as const;

const tooMany = (n: number) =>
  new ValidationError('invitations', `has ${n} rows; at most ${MAX_BULK_ROWS} are accepted`);

/** The rows of a CSV body: its header names the columns (any order; `email` required). */
export function csvRows(text: string): RawRow[] {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (error) {
    throw new ValidationError('body', `is not valid CSV: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const [header, ...lines] = records;
  if (!header)
    throw new ValidationError('body', 'is empty: the CSV needs the header email,role,team');
  const names = header.map((h) => h.toLowerCase());
  const unknown = names.filter((n) => !(COLUMNS as readonly string[]).includes(n));
  if (unknown.length || !names.includes('email') || new Set(names).size !== names.length) {
    throw new ValidationError(
      'header',
      `must name the columns email, role and team (email required, each once); got ${header.join(',')}`,
    );
  }
  if (lines.length > MAX_BULK_ROWS) throw tooMany(lines.length);
  return lines.map((fields, i) => {
    const at = (name: string) => {
      const index = names.indexOf(name);
      return index < 0 ? undefined : fields[index];
    };
    return {
      row: i + 1,
      email: at('email'),
      role: at('role'),
      team: at('team'),
      ...(fields.length > names.length
        ? { unreadable: `has ${fields.length} fields; the header names ${names.length}` }
        : {}),
    };
  });
}

/** The rows of a JSON body `{invitations:[{email, role?, team?}]}`. */
export function jsonRows(text: string): RawRow[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError('body', 'must be valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body', 'must be an object {invitations:[…]}');
  }
  const extra = Object.keys(body).filter((k) => k !== 'invitations');
  if (extra.length) throw new ValidationError(extra[0]!, 'is not a field of this request');
  const list = (body as { invitations?: unknown }).invitations;
  if (!Array.isArray(list)) throw new ValidationError('invitations', 'must be an array of rows');
  if (list.length > MAX_BULK_ROWS) throw tooMany(list.length);
  return list.map((entry, i) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      return {
        row: i + 1,
        email: undefined,
        role: undefined,
        team: undefined,
        unreadable: 'is not an object',
      };
    }
    const r = entry as Record<string, unknown>;
    const extraField = Object.keys(r).find((k) => !(COLUMNS as readonly string[]).includes(k));
    return {
      row: i + 1,
      email: r.email,
      role: r.role,
      team: r.team,
      ...(extraField ? { unreadable: `${extraField}: is not a field of a row` } : {}),
    };
  });
}

/** The rows of a body by its content type: JSON or CSV (415 otherwise); at least one row. */
export function readRows(contentType: string | undefined, body: string): RawRow[] {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  let rows: RawRow[];
  if (type === 'text/csv') rows = csvRows(body);
  else if (type === 'application/json') rows = jsonRows(body);
  else {
    throw new AppError(
      'unsupported-media-type',
      415,
      `Content-Type ${type} is not accepted; send application/json or text/csv`,
    );
  }
  if (rows.length === 0) throw new ValidationError('invitations', 'must have at least one row');
  return rows;
}

const blank = (v: unknown) => v === undefined || v === null || v === '';

/** One row checked: an email, a role (default member) and a team (default none). */
export function checkRow(raw: RawRow): CheckedRow {
  const email = normaliseEmail(raw.email);
  const invalid = (reason: string): CheckedRow => ({
    row: raw.row,
    email: email?.email ?? null,
    invalid: reason,
  });
  if (raw.unreadable) return invalid(raw.unreadable);
  if (!email) return invalid('email: is not an email address');
  let role: Role = 'member';
  if (!blank(raw.role)) {
    const r = typeof raw.role === 'string' ? raw.role.trim().toLowerCase() : raw.role;
    if (r !== 'owner' && r !== 'member') return invalid('role: must be owner or member');
    role = r;
  }
  let team: string | null = null;
  if (!blank(raw.team)) {
    const t = typeof raw.team === 'string' ? raw.team.trim() : raw.team;
    if (typeof t !== 'string' || !SLUG.test(t)) {
      return invalid("team: must be a slug: 2–39 characters a-z, 0-9 and '-'");
    }
    team = t;
  }
  return { row: raw.row, email: email.email, role, team };
}
