/**
 * The query parameters of a SCIM list (RFC 7644 §3.4.2): `filter`, `startIndex`, `count`,
 * `attributes`, `excludedAttributes`. Parameter names are matched case-insensitively (Entra and
 * Okta spell them as the RFC does, other clients do not). `sortBy`/`sortOrder` are ignored:
 * `/ServiceProviderConfig` says sorting is not supported (RFC 7644 §3.4.2.3 lets the service
 * provider ignore them then).
 */
import { invalidSyntax, invalidValue } from './errors.ts';
import { type Filter, getInsensitive, parseFilter } from './filter.ts';
import { isPlainObject } from './resource.ts';
import { MAX_RESULTS, SEARCH_REQUEST_SCHEMA } from './schema.ts';

export interface ListQuery {
  filter?: Filter;
  /** 1-based index of the first result; values below 1 are read as 1 (RFC 7644 §3.4.2.4). */
  startIndex: number;
  /** Page size: 100 when absent, at most 100, negative read as 0 (only `totalResults` then). */
  count: number;
  attributes?: string[];
  excludedAttributes?: string[];
}

/** The default and largest `count`. */
export const DEFAULT_COUNT = MAX_RESULTS;

function param(params: Record<string, string | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(params)) {
    if (key.toLowerCase() === lower && value !== undefined) return value;
  }
  return undefined;
}

function integer(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(raw))
    throw invalidValue(`${name} must be an integer, not "${raw.slice(0, 50)}"`);
  return Number(raw);
}

/**
 * Splits a comma-separated attribute list, keeping commas inside a value filter
 * (`emails[type eq "a,b"]`) where they belong.
 */
export function splitAttributeList(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (quoted) {
      if (c === '\\') {
        current += c + (raw[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Parses a list request's query. 400 `invalidValue` for a non-numeric index or count, `invalidFilter` for a bad filter. */
export function parseListQuery(params: Record<string, string | undefined>): ListQuery {
  const startIndex = integer('startIndex', param(params, 'startIndex'));
  const count = integer('count', param(params, 'count'));
  const query: ListQuery = {
    startIndex: startIndex === undefined || startIndex < 1 ? 1 : startIndex,
    count: count === undefined ? DEFAULT_COUNT : Math.min(Math.max(count, 0), MAX_RESULTS),
  };
  const filter = param(params, 'filter');
  if (filter !== undefined && filter.trim() !== '') query.filter = parseFilter(filter);
  const attributes = param(params, 'attributes');
  if (attributes !== undefined) {
    const list = splitAttributeList(attributes);
    if (list.length > 0) query.attributes = list;
  }
  const excluded = param(params, 'excludedAttributes');
  if (excluded !== undefined) {
    const list = splitAttributeList(excluded);
    if (list.length > 0) query.excludedAttributes = list;
  }
  return query;
}

/** A list of attribute names in a SearchRequest: an array of strings (or one comma-separated string). */
function attributeList(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw) && raw.every((a) => typeof a === 'string')) return raw.join(',');
  throw invalidValue(`${name} must be an array of attribute names`);
}

function searchInteger(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' || typeof raw === 'string') return String(raw);
  throw invalidValue(`${name} must be an integer`);
}

/**
 * The body of `POST …/.search` (RFC 7644 §3.4.3, schema
 * `urn:ietf:params:scim:api:messages:2.0:SearchRequest`) as the same query a `GET` list takes:
 * `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes` (keys in any case;
 * `sortBy`/`sortOrder` ignored as for `GET`). Anything else is 400 `invalidSyntax`.
 */
export function parseSearchRequest(body: unknown): ListQuery {
  if (!isPlainObject(body)) throw invalidSyntax('A search request must be a JSON object');
  const schemas = getInsensitive(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some(
      (s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase(),
    )
  ) {
    throw invalidSyntax(`A search request must have "schemas": ["${SEARCH_REQUEST_SCHEMA}"]`);
  }
  const filter = getInsensitive(body, 'filter');
  if (filter !== undefined && filter !== null && typeof filter !== 'string') {
    throw invalidValue('filter must be a string');
  }
  const params: Record<string, string | undefined> = {
    filter: filter ?? undefined,
    startIndex: searchInteger('startIndex', getInsensitive(body, 'startIndex')),
    count: searchInteger('count', getInsensitive(body, 'count')),
    attributes: attributeList('attributes', getInsensitive(body, 'attributes')),
    excludedAttributes: attributeList(
      'excludedAttributes',
      getInsensitive(body, 'excludedAttributes'),
    ),
  };
  return parseListQuery(params);
}
