/**
 * Pagination (SPEC §5): `?limit=` 1–100 (default 50) and an opaque cursor, the base64url of the
 * DynamoDB `LastEvaluatedKey` of the page's last item. A cursor is checked against the list it is
 * presented to, so a tampered or foreign cursor is a 400 naming `cursor`, never a read elsewhere.
 */
import { ValidationError } from '../errors.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

/** What one list request asks for. */
export interface PageRequest {
  limit: number;
  /** The raw cursor, decoded by the list that knows its key shape. */
  cursor: string | undefined;
}

/** One page of a list, as the API answers it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Reads `limit` and `cursor` from the query string. */
export function parsePageRequest(
  query: Record<string, string | undefined> | undefined,
): PageRequest {
  const rawLimit = query?.limit;
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^\d{1,4}$/.test(rawLimit.trim())) {
      throw new ValidationError('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
    }
    limit = Number(rawLimit.trim());
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ValidationError('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
    }
  }
  const cursor = query?.cursor;
  if (cursor !== undefined && cursor.length === 0) {
    throw new ValidationError('cursor', 'must not be empty; omit it for the first page');
  }
  return { limit, cursor };
}

/** A DynamoDB key: attribute name → string value. */
export type CursorKey = Record<string, string>;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The shape a list's cursors must have: exactly these attributes, in this partition, under this prefix. */
export interface CursorShape {
  /** Every attribute of the key (table key, plus index key for index queries). */
  attributes: readonly string[];
  /** The partition attribute the list queries, and its value. */
  partition: { attribute: string; value: string };
  /** The sort attribute and the prefix every key of the list starts with. */
  sort: { attribute: string; prefix: string };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Decodes a cursor for a list; anything that list could not have issued is a 400 naming `cursor`. */
export function decodeCursor(raw: string, shape: CursorShape): CursorKey {
  const invalid = () => new ValidationError('cursor', 'is not a cursor this list issued');
  if (!BASE64URL.test(raw) || raw.length > 2048) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid();
  const key = value as Record<string, unknown>;
  const names = Object.keys(key);
  if (
    names.length !== shape.attributes.length ||
    !shape.attributes.every((a) => typeof key[a] === 'string' && (key[a] as string).length > 0)
  ) {
    throw invalid();
  }
  if (key[shape.partition.attribute] !== shape.partition.value) throw invalid();
  if (!(key[shape.sort.attribute] as string).startsWith(shape.sort.prefix)) throw invalid();
  return key as CursorKey;
}
