/**
 * SCIM PATCH (RFC 7644 §3.5.2) on a resource's attributes, as real clients send it.
 *
 * Why a hand-written interpreter and not `scim-patch` (0.8.3, installed): that library is
 * schema-blind, so it cannot tell `invalidPath` from a new attribute, matches keys
 * case-sensitively (Entra sends `"Primary"`), removes `{"op":"Remove","path":"members",
 * "value":[{"value":"id"}]}` only when the whole member object is deep-equal (a stored member
 * with a `display` is never removed), parses its value filters with `scim2-parse-filter` (see
 * filter.ts for why not), and it walks client keys into the target object, so a path or value
 * key `"__proto__.x"` writes to `Object.prototype` (all checked against 0.8.3). Pre-normalising
 * the body would have meant re-implementing most of it; interpreting against the schema is
 * shorter and closes all of these at once: only attributes of the schema are ever written, under
 * their canonical names.
 *
 * Semantics (RFC 7644 §3.5.2, and what Okta and Entra ID send):
 * - `op` in any case (`"Replace"`), body keys in any case (`"operations"`); `value` strings
 *   `"True"`/`"False"` for booleans (the normaliser converts every written value).
 * - add on a single-valued attribute replaces it; add on a multi-valued attribute appends
 *   (duplicates dropped; members are the same when their `value`s are); add/replace on a complex
 *   attribute merges the given sub-attributes (RFC 7644 §3.5.2.1, §3.5.2.3).
 * - No `path`: `value` is an object whose keys are themselves paths, so Entra's dotted keys
 *   (`"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`) work. Keys that name nothing
 *   in the schema are dropped, as the normaliser drops them from a POST; `schemas` and `meta`
 *   are ignored and `id` is accepted only when it is the resource's own (Okta sends it).
 * - A value filter with a sub-attribute (`emails[type eq "work"].value`) that matches nothing
 *   creates the value from the filter's equalities (`{type: "work", value}`): Entra relies on it
 *   for the first work email. Without sub-attribute, replace swaps the matched values and add
 *   merges into them; remove drops them and removing what is not there changes nothing.
 * - `remove` of a multi-valued attribute with a `value` (Entra, Okta: members) removes only the
 *   listed values, matched by `value` when given; without a filter and with no value listed
 *   (none, `null`, `[]`) it removes every value (`members` included). `remove` of `active`
 *   leaves it unassigned, which the service reads as deactivation.
 * - At most 1,000 operations (`MAX_PATCH_OPERATIONS`, else 400 `tooMany`). Adding, removing
 *   and replacing whole group members goes through a map keyed by member id, so a PATCH's
 *   work grows with its length rather than with its length times the group's size.
 * - Setting `primary` on one value clears it on the others (RFC 7644 §3.5.2).
 * - Errors: body not a PatchOp → 400 `invalidSyntax`; path naming nothing → `invalidPath`;
 *   `id`/`meta` → `mutability`; `remove` without path → `noTarget`; a wrong type or a missing
 *   required attribute afterwards → `invalidValue`.
 */
import { AppError } from '../../errors.ts';
import { badRequest, invalidPath, invalidSyntax, mutability, noTarget } from './errors.ts';
import { type Filter, getInsensitive, matchesValue, type ParsedPath, parsePath } from './filter.ts';
import {
  type GroupAttributes,
  isPlainObject,
  normaliseGroup,
  normaliseUser,
  normaliseValue,
  type PlainObject,
  type UserAttributes,
} from './resource.ts';
import {
  type AttributeDefinition,
  coreSchema,
  ENTERPRISE_USER_ATTRIBUTE,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  PATCH_OP_SCHEMA,
  type ResourceKind,
  writableAttributes,
} from './schema.ts';

export interface PatchResult<T> {
  /** The patched attributes, normalised (always a valid `UserAttributes`/`GroupAttributes`). */
  resource: T;
  /** Whether anything differs from the resource before the patch. */
  changed: boolean;
}

export interface PatchOptions {
  /** The resource's `id`: an `id` in a path-less value is then accepted only when equal. */
  id?: string;
}

type OpName = 'add' | 'replace' | 'remove';

interface Operation {
  op: OpName;
  path?: string;
  hasValue: boolean;
  value: unknown;
  index: number;
}

interface Target {
  /** Attribute definitions from the top of the resource down (e.g. `emails`, then `value`). */
  steps: AttributeDefinition[];
  filter?: Filter;
  /** The step the filter applies to. */
  filterAt?: number;
  label: string;
}

const OPS = new Set<string>(['add', 'replace', 'remove']);

/** The most operations one PATCH may carry (SPEC §10); more is 400 `tooMany`. */
export const MAX_PATCH_OPERATIONS = 1_000;

function readOperations(body: unknown): Operation[] {
  if (!isPlainObject(body)) throw invalidSyntax('A PATCH body must be a JSON object');
  const schemas = getInsensitive(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())
  ) {
    throw invalidSyntax(`A PATCH body must have "schemas": ["${PATCH_OP_SCHEMA}"]`);
  }
  const operations = getInsensitive(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('A PATCH body must have a non-empty "Operations" array');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw badRequest(
      'tooMany',
      `A PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations, not ${operations.length}`,
    );
  }
  return operations.map((raw, index) => {
    if (!isPlainObject(raw)) throw invalidSyntax(`Operations[${index}] must be an object`);
    const op = getInsensitive(raw, 'op');
    if (typeof op !== 'string' || !OPS.has(op.toLowerCase())) {
      throw invalidSyntax(`Operations[${index}].op must be "add", "replace" or "remove"`);
    }
    const path = getInsensitive(raw, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw invalidPath(`Operations[${index}].path must be a string`);
    }
    const hasValue = Object.keys(raw).some((k) => k.toLowerCase() === 'value');
    const operation: Operation = {
      op: op.toLowerCase() as OpName,
      hasValue,
      value: getInsensitive(raw, 'value'),
      index,
    };
    if (typeof path === 'string' && path.trim() !== '') operation.path = path.trim();
    // A `remove` listing no values (`null`, `[]`) is a `remove` without a value: with no filter
    // either, every value goes (RFC 7644 §3.5.2.2).
    const listsNothing =
      operation.value === null || (Array.isArray(operation.value) && operation.value.length === 0);
    if (operation.op === 'remove' && listsNothing) {
      operation.hasValue = false;
      operation.value = undefined;
    }
    if (operation.op === 'remove' && operation.path === undefined) {
      throw noTarget(`Operations[${index}]: "remove" needs a "path"`);
    }
    if (operation.op !== 'remove' && !hasValue) {
      throw invalidSyntax(`Operations[${index}]: "${operation.op}" needs a "value"`);
    }
    return operation;
  });
}

/** Resolves a parsed path against the schema; 400 `invalidPath`/`mutability` when it cannot be written. */
function resolveTarget(parsed: ParsedPath, kind: ResourceKind, text: string): Target {
  const { path, filter, subAttribute } = parsed;
  const steps: AttributeDefinition[] = [];
  let scope = writableAttributes(kind);
  if (path.uri !== undefined) {
    const uri = path.uri.toLowerCase();
    const core = coreSchema(kind).id.toLowerCase();
    if (kind === 'User' && uri === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      steps.push(ENTERPRISE_USER_ATTRIBUTE);
      scope = ENTERPRISE_USER_ATTRIBUTE.subAttributes ?? [];
    } else if (uri !== core) {
      throw invalidPath(`"${text}" is not in the ${kind} schemas`);
    }
  }
  const name = path.attribute.toLowerCase();
  if (steps.length === 0 && (name === 'id' || name === 'meta')) {
    throw mutability(`"${path.attribute}" is read-only`);
  }
  const def = findAttribute(scope, path.attribute);
  if (!def) throw invalidPath(`"${text}" names no attribute of the ${kind} schema`);
  steps.push(def);
  const sub = path.subAttribute ?? subAttribute;
  const target: Target = { steps, label: '' };
  if (filter !== undefined) {
    if (!def.multiValued || def.type !== 'complex') {
      throw invalidPath(`"${text}": a value filter needs a multi-valued attribute`);
    }
    target.filter = filter;
    target.filterAt = steps.length - 1;
  }
  if (sub !== undefined) {
    const subDef = findAttribute(def.subAttributes ?? [], sub);
    if (!subDef) throw invalidPath(`"${text}" names no attribute of the ${kind} schema`);
    steps.push(subDef);
  }
  target.label = steps
    .map((s) => s.name)
    .join('.')
    .replace(`${ENTERPRISE_USER_SCHEMA}.`, `${ENTERPRISE_USER_SCHEMA}:`);
  return target;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** `type eq "work"` (or an `and` of equalities) as the value it describes: `{type: "work"}`. */
function seedFromFilter(filter: Filter, def: AttributeDefinition): PlainObject | undefined {
  if (filter.op === 'and') {
    const parts = filter.filters.map((f) => seedFromFilter(f, def));
    return parts.every((p) => p !== undefined) ? Object.assign({}, ...parts) : undefined;
  }
  if (filter.op !== 'eq' || filter.value === null || filter.path.subAttribute !== undefined) {
    return undefined;
  }
  const sub = findAttribute(def.subAttributes ?? [], filter.path.attribute);
  if (!sub || filter.path.uri !== undefined) return undefined;
  const value = normaliseValue(sub, filter.value, `${def.name}.${sub.name}`);
  return value === undefined ? undefined : { [sub.name]: value };
}

/** Whether a stored value is one a `remove` lists: same `value` when given, else same sub-attributes. */
function sameItem(stored: PlainObject, item: PlainObject, def: AttributeDefinition): boolean {
  const keys = 'value' in item ? ['value'] : Object.keys(item);
  if (keys.length === 0) return false;
  return keys.every((key) => {
    const a = stored[key];
    const b = item[key];
    const caseExact = findAttribute(def.subAttributes ?? [], key)?.caseExact ?? false;
    if (typeof a === 'string' && typeof b === 'string') {
      return caseExact ? a === b : a.toLowerCase() === b.toLowerCase();
    }
    return JSON.stringify(a) === JSON.stringify(b);
  });
}

function setOrDelete(container: PlainObject, key: string, value: unknown) {
  const empty =
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (isPlainObject(value) && Object.keys(value).length === 0);
  if (empty) delete container[key];
  else container[key] = value;
}

function applyAt(container: PlainObject, target: Target, i: number, op: Operation): void {
  const def = target.steps[i] as AttributeDefinition;
  const key = def.name;
  const last = i === target.steps.length - 1;
  const value = op.value;
  const clearing = op.op === 'remove' || value === null;

  if (def.multiValued) {
    const current = (Array.isArray(container[key]) ? container[key] : []) as PlainObject[];
    /** The rest of the path at each of `values` (of `current`); a value it empties goes. */
    const descend = (values: PlainObject[]) => {
      for (const v of values) applyAt(v, target, i + 1, op);
      setOrDelete(
        container,
        key,
        current.filter((v) => Object.keys(v).length > 0),
      );
    };
    if (target.filter !== undefined && target.filterAt === i) {
      const filter = target.filter;
      let matched = current.filter((v) => matchesValue(filter, v, def));
      if (last) {
        if (clearing) {
          setOrDelete(
            container,
            key,
            current.filter((v) => !matched.includes(v)),
          );
          return;
        }
        const replacement = normaliseValue(def, asArray(value), target.label) as
          | PlainObject[]
          | undefined;
        const element = Object.assign({}, ...(replacement ?? [])) as PlainObject;
        if (matched.length === 0) {
          const seed = seedFromFilter(filter, def);
          if (!seed)
            throw noTarget(`No value of ${def.name} matches the filter of ${target.label}`);
          setOrDelete(container, key, [...current, { ...seed, ...element }]);
          return;
        }
        const next = current.map((v) =>
          matched.includes(v) ? (op.op === 'replace' ? { ...element } : { ...v, ...element }) : v,
        );
        setOrDelete(container, key, next);
        return;
      }
      if (matched.length === 0) {
        if (clearing) return;
        const seed = seedFromFilter(filter, def);
        if (!seed) throw noTarget(`No value of ${def.name} matches the filter of ${target.label}`);
        current.push(seed);
        matched = [seed];
      }
      descend(matched);
      return;
    }
    if (last) {
      if (op.op === 'remove' && op.hasValue && value !== null && value !== undefined) {
        const items = asArray(value).flatMap(
          (item) => (normaliseValue(def, [item], target.label) as PlainObject[] | undefined) ?? [],
        );
        // Items naming a `value` are looked up in a set: a group push may list thousands.
        const fold = findAttribute(def.subAttributes ?? [], 'value')?.caseExact
          ? (v: string) => v
          : (v: string) => v.toLowerCase();
        const byValue = new Set(
          items.flatMap((item) => (typeof item.value === 'string' ? [fold(item.value)] : [])),
        );
        const others = items.filter((item) => !('value' in item));
        setOrDelete(
          container,
          key,
          current.filter(
            (v) =>
              !(typeof v.value === 'string' && byValue.has(fold(v.value))) &&
              !others.some((item) => sameItem(v, item, def)),
          ),
        );
        return;
      }
      if (clearing) {
        delete container[key];
        return;
      }
      const items =
        (normaliseValue(def, asArray(value), target.label) as PlainObject[] | undefined) ?? [];
      setOrDelete(container, key, op.op === 'add' ? [...current, ...items] : items);
      return;
    }
    // `emails.value` without a filter: every value.
    if (current.length === 0) {
      if (clearing) return;
      throw noTarget(`${def.name} has no value to set ${target.label} on`);
    }
    descend(current);
    return;
  }

  if (def.type === 'complex') {
    if (last) {
      if (clearing) {
        delete container[key];
        return;
      }
      const given = normaliseValue(def, value, target.label) as PlainObject | undefined;
      const existing = isPlainObject(container[key]) ? container[key] : {};
      setOrDelete(container, key, { ...existing, ...given });
      return;
    }
    const existing = container[key];
    let child: PlainObject;
    if (isPlainObject(existing)) child = existing;
    else {
      if (clearing) return;
      child = {};
      container[key] = child;
    }
    applyAt(child, target, i + 1, op);
    setOrDelete(container, key, child);
    return;
  }

  if (clearing) delete container[key];
  else setOrDelete(container, key, normaliseValue(def, value, target.label));
}

/** The elements of a multi-valued attribute whose `primary` is true. */
const primaries = (value: unknown): Set<PlainObject> =>
  new Set(Array.isArray(value) ? value.filter((v) => isPlainObject(v) && v.primary === true) : []);

/**
 * Applies one operation's target, keeping RFC 7644 §3.5.2's one primary: a value newly made
 * primary makes the others non-primary. Only an attribute with a `primary` sub-attribute is
 * looked at (never `members`), so the work is the attribute the operation touches.
 */
function applyTarget(doc: PlainObject, target: Target, op: Operation, members: MemberIndex) {
  const top = target.steps[0] as AttributeDefinition;
  if (members.apply(target, op)) return;
  if (top.name === 'members') members.flush();
  const tracked = top.multiValued && findAttribute(top.subAttributes ?? [], 'primary');
  const before = tracked ? primaries(doc[top.name]) : undefined;
  applyAt(doc, target, 0, op);
  if (!before) return;
  const now = primaries(doc[top.name]);
  if (now.size < 2 || ![...now].some((v) => !before.has(v))) return;
  for (const v of now) if (before.has(v)) v.primary = false;
}

/** `value eq "id"`, or an `or` of them: the member ids a value filter on `members` names. */
function memberIds(filter: Filter): string[] | undefined {
  if (filter.op === 'or') {
    const parts = filter.filters.map(memberIds);
    return parts.every((p) => p !== undefined) ? parts.flat() : undefined;
  }
  if (filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  const { uri, attribute, subAttribute } = filter.path;
  return uri === undefined && subAttribute === undefined && attribute.toLowerCase() === 'value'
    ? [filter.value]
    : undefined;
}

/**
 * A group's `members` while a PATCH runs, keyed by `value` (`caseExact`; the normaliser drops
 * later duplicates the same way): adding, removing or replacing whole members costs what the
 * operation lists, not the group's size, so a PATCH's work grows linearly with its length
 * (SPEC §10) — a push of 1,000 `add` operations no longer copies the list 1,000 times. Any
 * other operation on `members` (a sub-attribute, a filter other than `value eq`) sees the list
 * written back first; the list is written back at the end.
 */
class MemberIndex {
  private map: Map<string, PlainObject> | undefined;

  constructor(
    private readonly doc: PlainObject,
    private readonly kind: ResourceKind,
  ) {}

  private current(): Map<string, PlainObject> {
    if (this.map) return this.map;
    this.map = new Map();
    const list = Array.isArray(this.doc.members) ? (this.doc.members as PlainObject[]) : [];
    this.add(list);
    return this.map;
  }

  private add(items: PlainObject[]) {
    const map = this.map ?? this.current();
    for (const m of items) {
      if (typeof m.value === 'string' && !map.has(m.value)) map.set(m.value, m);
    }
  }

  /** Applies `op` when it is one of the forms kept here; `false` otherwise. */
  apply(target: Target, op: Operation): boolean {
    const def = target.steps[0] as AttributeDefinition;
    if (this.kind !== 'Group' || def.name !== 'members' || target.steps.length !== 1) return false;
    if (target.filter !== undefined) {
      const ids = op.op === 'remove' ? memberIds(target.filter) : undefined;
      if (!ids) return false;
      const map = this.current();
      for (const id of ids) map.delete(id);
      return true;
    }
    const clearing = op.value === null || op.value === undefined;
    if (op.op === 'remove' && clearing) {
      // `remove` without a filter or value: every member (RFC 7644 §3.5.2.2).
      this.map = new Map();
      return true;
    }
    const items = clearing
      ? []
      : ((normaliseValue(def, asArray(op.value), target.label) as PlainObject[] | undefined) ?? []);
    if (op.op === 'remove') {
      const map = this.current();
      for (const m of items) map.delete(m.value as string);
    } else if (op.op === 'replace' || clearing) {
      this.map = new Map();
      this.add(items);
    } else {
      this.add(items);
    }
    return true;
  }

  /** Writes the members back to the document. */
  flush() {
    if (!this.map) return;
    setOrDelete(this.doc, 'members', [...this.map.values()]);
    this.map = undefined;
  }
}

function applyOperation(
  doc: PlainObject,
  op: Operation,
  kind: ResourceKind,
  options: PatchOptions,
  members: MemberIndex,
) {
  if (op.path !== undefined) {
    const target = resolveTarget(parsePath(op.path), kind, op.path);
    applyTarget(doc, target, op, members);
    return;
  }
  // Path-less add/replace: every key of the value is a path of its own.
  if (!isPlainObject(op.value)) {
    throw invalidSyntax(`Operations[${op.index}]: without "path", "value" must be an object`);
  }
  for (const key of Object.keys(op.value)) {
    const lower = key.toLowerCase();
    const value = op.value[key];
    if (lower === 'schemas' || lower === 'meta') continue;
    if (lower === 'id') {
      if (options.id !== undefined && value !== options.id) throw mutability('"id" is read-only');
      continue;
    }
    let target: Target;
    try {
      target = resolveTarget(parsePath(key), kind, key);
    } catch (error) {
      // An attribute this service provider does not know is ignored, as in a POST.
      if (error instanceof AppError && error.scimType === 'invalidPath') continue;
      throw error;
    }
    applyTarget(doc, target, { ...op, path: key, value, hasValue: true }, members);
  }
}

/**
 * Applies a PATCH body to a resource's attributes (a stored `UserAttributes`/`GroupAttributes`;
 * a rendered resource works too, its `id`/`meta`/`schemas` are ignored). The result is
 * normalised again, so it is always valid. Throws only 400s (`AppError`s with a `scimType`).
 */
export function applyPatch(
  resource: UserAttributes,
  body: unknown,
  kind: 'User',
  options?: PatchOptions,
): PatchResult<UserAttributes>;
export function applyPatch(
  resource: GroupAttributes,
  body: unknown,
  kind: 'Group',
  options?: PatchOptions,
): PatchResult<GroupAttributes>;
export function applyPatch(
  resource: UserAttributes | GroupAttributes,
  body: unknown,
  kind: ResourceKind,
  options: PatchOptions = {},
): PatchResult<UserAttributes | GroupAttributes> {
  const operations = readOperations(body);
  const normalise = kind === 'User' ? normaliseUser : normaliseGroup;
  const before = normalise(resource);
  const doc = structuredClone(before) as unknown as PlainObject;
  const members = new MemberIndex(doc, kind);
  for (const op of operations) applyOperation(doc, op, kind, options, members);
  members.flush();
  const after = normalise(doc);
  return { resource: after, changed: JSON.stringify(after) !== JSON.stringify(before) };
}

/** The member ids a change of group added and removed (in the order they appear). */
export function memberChanges(
  before: GroupAttributes,
  after: GroupAttributes,
): { added: string[]; removed: string[] } {
  const ids = (g: GroupAttributes) => (g.members ?? []).map((m) => m.value);
  const was = new Set(ids(before));
  const is = new Set(ids(after));
  return {
    added: [...is].filter((id) => !was.has(id)),
    removed: [...was].filter((id) => !is.has(id)),
  };
}
