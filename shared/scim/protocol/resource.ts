/**
 * SCIM resources as plain data: the normalisers that turn what a client sends (POST, PUT, the
 * values of a PATCH) into canonical `UserAttributes` / `GroupAttributes`, the rendering of a
 * stored resource (`schemas`, `id`, `meta`) and the `attributes` / `excludedAttributes`
 * projection of RFC 7644 §3.4.2.5. Pure: no I/O.
 *
 * Canonical means: attribute names in the case of the schema (clients send `"Primary"`,
 * `"DisplayName"`), unknown attributes dropped (RFC 7644 §3.3 lets the service provider ignore
 * what it does not support, and Entra sends `"roles": []` or a Microsoft group schema), values of
 * the schema's type (`"True"`/`"False"` become booleans: Entra sends strings), empty values and
 * `null` removed (RFC 7643 §2.5: unassigned), keys in schema order (so two canonical resources
 * compare equal with `JSON.stringify`).
 */
import { invalidSyntax, invalidValue } from './errors.ts';
import {
  type AttributeDefinition,
  coreSchema,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  GROUP_SCHEMA,
  type ResourceKind,
  USER_SCHEMA,
  writableAttributes,
} from './schema.ts';

/** One value of `emails`, `phoneNumbers`, `ims` or `photos`. */
export interface MultiValuedString {
  value?: string;
  display?: string;
  type?: string;
  primary?: boolean;
}

export interface Address {
  formatted?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  type?: string;
  primary?: boolean;
}

export interface Name {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

export interface Manager {
  value?: string;
  $ref?: string;
  displayName?: string;
}

export interface EnterpriseUserAttributes {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: Manager;
}

/** A user's attributes as stored: everything a client may write, canonical (no id, no meta). */
export interface UserAttributes {
  userName: string;
  name?: Name;
  displayName?: string;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active?: boolean;
  emails?: MultiValuedString[];
  phoneNumbers?: MultiValuedString[];
  ims?: MultiValuedString[];
  photos?: MultiValuedString[];
  addresses?: Address[];
  externalId?: string;
  [ENTERPRISE_USER_SCHEMA]?: EnterpriseUserAttributes;
}

export interface GroupMember {
  /** The member's SCIM `id` (a user or a group of this connection). */
  value: string;
  display?: string;
  type?: string;
  $ref?: string;
}

/** A group's attributes as stored, canonical (no id, no meta). */
export interface GroupAttributes {
  displayName: string;
  members?: GroupMember[];
  externalId?: string;
}

/** `meta` of a rendered resource (RFC 7643 §3.1). */
export interface ResourceMeta {
  resourceType: ResourceKind;
  created: string;
  lastModified: string;
  location: string;
  version?: string;
}

export type UserResource = UserAttributes & { schemas: string[]; id: string; meta: ResourceMeta };
export type GroupResource = GroupAttributes & { schemas: string[]; id: string; meta: ResourceMeta };

/** What the store knows about a resource besides its attributes. */
export interface ResourceMetaInput {
  id: string;
  created: string | Date;
  lastModified: string | Date;
  /** A number becomes the weak ETag `W/"n"`; a string is used as it is. */
  version?: string | number;
  location: string;
}

export type PlainObject = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is PlainObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Attributes a client may send but never sets (RFC 7643 §3.1: assigned by the service provider). */
const IGNORED = new Set(['id', 'meta', 'schemas']);

/** `true`/`false`, or the strings `"true"`/`"false"` in any case (Entra sends `"False"`). */
export function toBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const lower = raw.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  return typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
}

/**
 * Normalises one attribute's value against its definition; `undefined` means unassigned
 * (`null`, `[]`, `{}` or an object with nothing known in it). Throws 400 `invalidValue` naming
 * `label` when the value has the wrong type.
 *
 * A bare string where a complex value with a `value` sub-attribute is expected is read as
 * `{ value }`: Entra sends the enterprise `manager` as the manager's id, and some clients send
 * group `members` as a list of ids. Accepting it loses nothing and matches what they mean.
 */
export function normaliseValue(def: AttributeDefinition, raw: unknown, label: string): unknown {
  if (raw === null || raw === undefined) return undefined;
  if (!def.multiValued) return normaliseSingle(def, raw, label);
  if (!Array.isArray(raw)) {
    throw invalidValue(`${label} must be an array, not ${describe(raw)}`);
  }
  const values: unknown[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const value = normaliseSingle(def, item, `${label}[${i}]`);
    if (value === undefined) return;
    // Members are the same member when their ids are equal; other values when all is equal.
    const key =
      def.name === 'members' && isPlainObject(value) ? String(value.value) : JSON.stringify(value);
    if (seen.has(key)) return;
    seen.add(key);
    values.push(value);
  });
  if (values.filter((v) => isPlainObject(v) && v.primary === true).length > 1) {
    throw invalidValue(`${label}: the primary value "true" must appear no more than once`);
  }
  return values.length === 0 ? undefined : values;
}

function normaliseSingle(def: AttributeDefinition, raw: unknown, label: string): unknown {
  if (raw === null || raw === undefined) return undefined;
  switch (def.type) {
    case 'boolean': {
      const value = toBoolean(raw);
      if (value === undefined)
        throw invalidValue(`${label} must be a boolean, not ${describe(raw)}`);
      return value;
    }
    case 'integer':
    case 'decimal':
      if (
        typeof raw !== 'number' ||
        !Number.isFinite(raw) ||
        (def.type === 'integer' && !Number.isInteger(raw))
      ) {
        throw invalidValue(
          `${label} must be ${def.type === 'integer' ? 'an integer' : 'a number'}`,
        );
      }
      return raw;
    case 'dateTime':
      if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) {
        throw invalidValue(`${label} must be an xsd:dateTime string`);
      }
      return raw;
    case 'complex':
      return normaliseComplex(def, raw, label);
    default:
      if (typeof raw !== 'string')
        throw invalidValue(`${label} must be a string, not ${describe(raw)}`);
      return raw;
  }
}

function normaliseComplex(def: AttributeDefinition, raw: unknown, label: string): unknown {
  const subAttributes = def.subAttributes ?? [];
  let input = raw;
  if (typeof raw === 'string' && findAttribute(subAttributes, 'value')) input = { value: raw };
  if (!isPlainObject(input)) throw invalidValue(`${label} must be an object, not ${describe(raw)}`);
  const object: PlainObject = input;
  // A member's `displayName` (sent by some clients, the Microsoft reference collection among
  // them) is its `display`.
  let fields = object;
  if (def.name === 'members' && getInsensitiveKey(object, 'display') === undefined) {
    const displayName = getInsensitiveKey(object, 'displayName');
    if (displayName !== undefined) fields = { ...object, display: object[displayName] };
  }
  const out = normaliseObject(subAttributes, fields, label);
  if (def.name === 'members' && out !== undefined && typeof out.value !== 'string') {
    throw invalidValue(`${label}.value is required`);
  }
  return out;
}

/** Normalises an object's attributes against `attributes`, in schema order; unknown keys dropped. */
function normaliseObject(
  attributes: readonly AttributeDefinition[],
  input: PlainObject,
  label: string,
): PlainObject | undefined {
  const byName = new Map<string, unknown>();
  for (const key of Object.keys(input)) byName.set(key.toLowerCase(), input[key]);
  const out: PlainObject = {};
  for (const def of attributes) {
    const lower = def.name.toLowerCase();
    if (!byName.has(lower)) continue;
    const value = normaliseValue(def, byName.get(lower), label ? `${label}.${def.name}` : def.name);
    if (value !== undefined) out[def.name] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * Rewrites schema-qualified keys (`urn:…:core:2.0:User:userName`, `urn:…:enterprise:2.0:User:
 * department`) to the plain shape and drops `id`, `meta`, `schemas`.
 */
function unqualify(kind: ResourceKind, input: PlainObject): PlainObject {
  const core = coreSchema(kind).id.toLowerCase();
  const ext = ENTERPRISE_USER_SCHEMA.toLowerCase();
  // Null-prototype objects: a client's `"__proto__"` key stays a plain (ignored) key.
  const out: PlainObject = Object.create(null);
  let extension: PlainObject | undefined;
  const extensionPart = (): PlainObject => {
    extension ??= Object.create(null) as PlainObject;
    return extension;
  };
  for (const key of Object.keys(input)) {
    const lower = key.toLowerCase();
    const value = input[key];
    if (kind === 'User' && lower === ext) {
      if (value === null || value === undefined) continue;
      if (!isPlainObject(value)) {
        throw invalidValue(`${ENTERPRISE_USER_SCHEMA} must be an object, not ${describe(value)}`);
      }
      Object.assign(extensionPart(), value);
    } else if (kind === 'User' && lower.startsWith(`${ext}:`)) {
      extensionPart()[key.slice(ext.length + 1)] = value;
    } else if (lower.startsWith(`${core}:`)) {
      out[key.slice(core.length + 1)] = value;
    } else if (!IGNORED.has(lower)) {
      out[key] = value;
    }
  }
  if (extension !== undefined) out[ENTERPRISE_USER_SCHEMA] = extension;
  return out;
}

function normaliseResource(kind: ResourceKind, input: unknown): PlainObject {
  if (!isPlainObject(input)) throw invalidSyntax(`A ${kind} must be a JSON object`);
  const out = normaliseObject(writableAttributes(kind), unqualify(kind, input), '') ?? {};
  const required = kind === 'User' ? 'userName' : 'displayName';
  const value = out[required];
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidValue(`${required} is required`);
  }
  return out;
}

/** A client's User (POST, PUT, or a patched one) as canonical `UserAttributes`. */
export function normaliseUser(input: unknown): UserAttributes {
  return normaliseResource('User', input) as unknown as UserAttributes;
}

/** A client's Group (POST, PUT, or a patched one) as canonical `GroupAttributes`. */
export function normaliseGroup(input: unknown): GroupAttributes {
  return normaliseResource('Group', input) as unknown as GroupAttributes;
}

const isoTime = (t: string | Date) => (t instanceof Date ? t.toISOString() : t);

function meta(kind: ResourceKind, input: ResourceMetaInput): ResourceMeta {
  return {
    resourceType: kind,
    created: isoTime(input.created),
    lastModified: isoTime(input.lastModified),
    location: input.location,
    ...(input.version === undefined
      ? {}
      : { version: typeof input.version === 'number' ? `W/"${input.version}"` : input.version }),
  };
}

/** A stored user as the SCIM resource a client reads (`schemas`, `id`, attributes, `meta`). */
export function toUserResource(stored: UserAttributes, input: ResourceMetaInput): UserResource {
  const schemas = [USER_SCHEMA];
  if (stored[ENTERPRISE_USER_SCHEMA] !== undefined) schemas.push(ENTERPRISE_USER_SCHEMA);
  return { schemas, id: input.id, ...stored, meta: meta('User', input) };
}

/** A stored group as the SCIM resource a client reads. */
export function toGroupResource(stored: GroupAttributes, input: ResourceMetaInput): GroupResource {
  return { schemas: [GROUP_SCHEMA], id: input.id, ...stored, meta: meta('Group', input) };
}

/** The kind of a rendered resource, from its `schemas`. */
export function kindOf(resource: PlainObject): ResourceKind {
  const schemas = resource.schemas;
  return Array.isArray(schemas) &&
    schemas.some((s) => typeof s === 'string' && s.toLowerCase() === GROUP_SCHEMA.toLowerCase())
    ? 'Group'
    : 'User';
}

type Tree = Map<string, Tree | true>;

const KNOWN_URIS = [ENTERPRISE_USER_SCHEMA, USER_SCHEMA, GROUP_SCHEMA];

/**
 * An attribute name of `attributes`/`excludedAttributes` as lower-case path segments:
 * `name.givenName` → `['name', 'givenname']`, `urn:…:enterprise:2.0:User:department` → the
 * extension URN then `department`, `emails[type eq "work"]` → `['emails']` (a filter there
 * selects nothing more than the attribute). `undefined` for an unknown schema URN.
 */
function nameSegments(name: string): string[] | undefined {
  let text = name.trim();
  const open = text.indexOf('[');
  const close = text.lastIndexOf(']');
  if (open >= 0) text = text.slice(0, open) + (close > open ? text.slice(close + 1) : '');
  const lower = text.toLowerCase();
  if (!lower.startsWith('urn:')) return lower === '' ? undefined : lower.split('.');
  for (const uri of KNOWN_URIS) {
    const u = uri.toLowerCase();
    if (lower === u) return uri === ENTERPRISE_USER_SCHEMA ? [u] : undefined;
    if (lower.startsWith(`${u}:`)) {
      const rest = lower.slice(u.length + 1).split('.');
      return uri === ENTERPRISE_USER_SCHEMA ? [u, ...rest] : rest;
    }
  }
  return undefined;
}

function buildTree(names: readonly string[]): Tree {
  const root: Tree = new Map();
  for (const name of names) {
    const segments = nameSegments(name);
    if (!segments) continue;
    let node = root;
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) {
        node.set(segment, true);
        return;
      }
      const next = node.get(segment);
      if (next === true) return;
      const child: Tree = next ?? new Map();
      node.set(segment, child);
      node = child;
    });
  }
  return root;
}

const isEmpty = (v: unknown) => isPlainObject(v) && Object.keys(v).length === 0;

function walk(value: unknown, tree: Tree, include: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => walk(item, tree, include)).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (!isPlainObject(value)) return include ? undefined : value;
  const out: PlainObject = {};
  for (const key of Object.keys(value)) {
    const node = tree.get(key.toLowerCase());
    const v = value[key];
    if (node === true) {
      if (include) out[key] = v;
    } else if (node !== undefined) {
      const projected = walk(v, node, include);
      if (projected !== undefined) out[key] = projected;
    } else if (!include) {
      out[key] = v;
    }
  }
  return isEmpty(out) ? undefined : out;
}

/** `attributes`/`excludedAttributes` as given: a list, or the comma-separated query string. */
export interface Projection {
  attributes?: readonly string[] | string;
  excludedAttributes?: readonly string[] | string;
}

const asList = (v: readonly string[] | string | undefined) =>
  v === undefined ? undefined : typeof v === 'string' ? v.split(',') : v;

/**
 * Applies `attributes` then `excludedAttributes` (RFC 7644 §3.4.2.5) to a rendered resource.
 * `schemas`, `id` and `meta` are always returned; names match case-insensitively, may be
 * schema-qualified and may name sub-attributes (`name.givenName`, `emails.value`).
 */
export function projectAttributes(resource: object, projection: Projection): PlainObject {
  const attributes = asList(projection.attributes)?.filter((a) => a.trim() !== '');
  const excluded = asList(projection.excludedAttributes)?.filter((a) => a.trim() !== '');
  const { schemas, id, meta: resourceMeta, ...rest } = resource as PlainObject;
  let body: unknown = rest;
  if (attributes && attributes.length > 0) body = walk(body, buildTree(attributes), true) ?? {};
  if (excluded && excluded.length > 0) body = walk(body, buildTree(excluded), false) ?? {};
  return {
    ...(schemas === undefined ? {} : { schemas }),
    ...(id === undefined ? {} : { id }),
    ...(body as PlainObject),
    ...(resourceMeta === undefined ? {} : { meta: resourceMeta }),
  };
}

/** The key of `obj` that is `name` in any case, if any. */
function getInsensitiveKey(obj: PlainObject, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}
