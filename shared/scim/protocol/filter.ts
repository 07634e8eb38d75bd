/**
 * SCIM filters (RFC 7644 §3.4.2.2): a parser to a small AST, an evaluator over plain resources,
 * and the parser of PATCH paths (RFC 7644 §3.5.2), which share the grammar.
 *
 * Why not `scim2-parse-filter` (0.2.10, installed): it rejects bare words as values
 * (`name.FamilyName eq Employee`, `meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, which
 * RFC-adjacent clients and test suites send), it double-escapes backslashes (`"a\\b"` parses to
 * `a\\\\b`) and keeps `\n` as two characters, it turns `emails[type eq "work"].value co "x"`
 * into an `and` that no longer binds `value` to the work email, its string regex backtracks
 * exponentially on an unterminated string full of newlines (28 newlines ≈ 1 s, each one more
 * doubles it — a request-sized ReDoS), and deep parentheses overflow the stack. The grammar is
 * small, so this module has its own linear tokenizer and recursive-descent parser with a depth
 * limit; it only ever throws a 400 `invalidFilter` (an `AppError`).
 *
 * Choices where the RFC is loose:
 * - A bare word value is a string, unless it reads as `true`/`false`/`null` (any case) or a
 *   JSON number. So `active eq True` is a boolean and `meta.created gt 2015-10-10T…` a date.
 * - Quoted values are JSON strings; a backslash JSON does not know (`"DOMAIN\user"`) is kept as a
 *   backslash instead of failing.
 * - Operators, `and`/`or`/`not` and attribute names are case-insensitive (RFC 7644 §3.4.2.2).
 * - `not` needs parentheses, as in the RFC grammar (`not (userName eq "x")`).
 * - A value filter may be followed by a sub-attribute and a comparison, as Entra sends
 *   `emails[type eq "work"].value eq "x"`; it binds to the same value as the filter
 *   (`emails[type eq "work" and value eq "x"]`).
 * - `ne` is the negation of `eq`: an absent attribute is "not equal"; on a multi-valued attribute
 *   it holds when no value is equal.
 * - Values compare in the attribute's type: strings case-insensitively unless the attribute is
 *   `caseExact` (RFC 7643 §2.2), `dateTime` attributes (`meta.created`) as instants, booleans
 *   only with `eq`/`ne` (other operators on a boolean attribute are 400 `invalidFilter`, RFC 7644
 *   §3.4.2.2). A multi-valued complex attribute without a sub-attribute (`emails co "x"`)
 *   compares its `value`s.
 */
import { AppError } from '../../errors.ts';
import { invalidFilter, invalidPath } from './errors.ts';
import { isPlainObject, kindOf, type PlainObject, toBoolean } from './resource.ts';
import {
  type AttributeDefinition,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  GROUP_SCHEMA,
  type ResourceKind,
  resourceAttributes,
  USER_SCHEMA,
} from './schema.ts';

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompValue = string | number | boolean | null;

/** `[uri ":"] attribute ["." subAttribute]`, names as the client wrote them. */
export interface AttrPath {
  uri?: string;
  attribute: string;
  subAttribute?: string;
}

export type Filter =
  | { op: CompareOperator; path: AttrPath; value: CompValue }
  | { op: 'pr'; path: AttrPath }
  | { op: 'and' | 'or'; filters: Filter[] }
  | { op: 'not'; filter: Filter }
  /** `emails[type eq "work"]`: some value of `path` matches `filter`. */
  | { op: 'valuePath'; path: AttrPath; filter: Filter };

/** A PATCH path: `attrPath`, or `valuePath` optionally followed by `.subAttribute`. */
export interface ParsedPath {
  path: AttrPath;
  filter?: Filter;
  /** The sub-attribute after a value filter (`emails[type eq "work"].value`). */
  subAttribute?: string;
}

const COMPARE = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const ORDERING = new Set(['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew']);
/** Longer than any real filter; keeps parsing time and memory bounded. */
export const MAX_FILTER_LENGTH = 10_000;
const MAX_DEPTH = 32;

type TokenKind = 'word' | 'string' | '(' | ')' | '[' | ']' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

/** Splits on whitespace, brackets and JSON strings; one pass, no backtracking. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, text: c, pos: i });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw invalidFilter(`Unterminated string at position ${i}`);
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), pos: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()[\]"]/.test(text[j] as string)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), pos: i });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

/** A JSON string literal; unknown escapes keep their backslash rather than fail. */
function unquote(literal: string): string {
  try {
    const value: unknown = JSON.parse(literal);
    if (typeof value === 'string') return value;
  } catch {
    // Not strict JSON (a raw control character, `\u` without 4 hex digits, `\q`): be lenient.
  }
  return literal.slice(1, -1).replace(/\\(["\\/])/g, '$1');
}

const ATTR_NAME = /^\$?[A-Za-z][\w-]*$/;

/** Parses `[uri:]attr[.sub]`; `undefined` when it is not an attribute path. */
function parseAttrPath(text: string): AttrPath | undefined {
  // The enterprise extension as a whole (`urn:…:enterprise:2.0:User pr`, a PATCH path).
  if (text.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
    return { attribute: ENTERPRISE_USER_SCHEMA };
  }
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) return undefined;
  const [attribute, subAttribute] = parts as [string, string | undefined];
  return {
    ...(uri === undefined ? {} : { uri }),
    attribute,
    ...(subAttribute === undefined ? {} : { subAttribute }),
  };
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function bareValue(word: string): CompValue {
  const lower = word.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (NUMBER.test(word)) {
    const n = Number(word);
    if (Number.isFinite(n)) return n;
  }
  return word;
}

/** Every attribute definition of both kinds, to find booleans without knowing the kind. */
const ALL_ATTRIBUTES = [...resourceAttributes('User'), ...resourceAttributes('Group')];

function definitionsFor(path: AttrPath, context: readonly AttributeDefinition[]) {
  const scope =
    path.uri?.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase()
      ? (findAttribute(context, ENTERPRISE_USER_SCHEMA)?.subAttributes ?? [])
      : context;
  const found = scope.filter((a) => a.name.toLowerCase() === path.attribute.toLowerCase());
  if (path.subAttribute === undefined) return found;
  const sub = path.subAttribute.toLowerCase();
  return found.flatMap((a) => (a.subAttributes ?? []).filter((s) => s.name.toLowerCase() === sub));
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(offset = 0): Token {
    return (this.tokens[this.i + offset] ?? this.tokens[this.tokens.length - 1]) as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  fail(message: string, token = this.peek()): never {
    throw invalidFilter(
      `${message} at position ${token.pos} of filter ${JSON.stringify(this.source.slice(0, 200))}`,
    );
  }

  private expect(kind: TokenKind): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(`Expected "${kind}" but found "${t.text || 'end'}"`, t);
    return t;
  }

  private enter() {
    if (++this.depth > MAX_DEPTH) this.fail(`Filter nested deeper than ${MAX_DEPTH}`);
  }

  atEnd(): boolean {
    return this.peek().kind === 'end';
  }

  at(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }

  done() {
    const t = this.peek();
    if (t.kind !== 'end') this.fail(`Unexpected "${t.text}"`, t);
  }

  /** filter := and ("or" and)* */
  filter(context: readonly AttributeDefinition[], inValuePath: boolean): Filter {
    return this.joined('or', () => this.and(context, inValuePath));
  }

  /** and := unary ("and" unary)* */
  private and(context: readonly AttributeDefinition[], inValuePath: boolean): Filter {
    return this.joined('and', () => this.unary(context, inValuePath));
  }

  /** operand (op operand)*: the one operand alone, or all of them joined by `op`. */
  private joined(op: 'and' | 'or', operand: () => Filter): Filter {
    const filters = [operand()];
    while (this.isWord(op)) {
      this.next();
      filters.push(operand());
    }
    return filters.length === 1 ? (filters[0] as Filter) : { op, filters };
  }

  private unary(context: readonly AttributeDefinition[], inValuePath: boolean): Filter {
    if (this.isWord('not') && this.peek(1).kind === '(') {
      this.next();
      return { op: 'not', filter: this.group(context, inValuePath) };
    }
    if (this.peek().kind === '(') return this.group(context, inValuePath);
    return this.attributeExpression(context, inValuePath);
  }

  private group(context: readonly AttributeDefinition[], inValuePath: boolean): Filter {
    this.enter();
    this.expect('(');
    const inner = this.filter(context, inValuePath);
    this.expect(')');
    this.depth--;
    return inner;
  }

  attrPath(): AttrPath {
    const t = this.next();
    const path = t.kind === 'word' ? parseAttrPath(t.text) : undefined;
    if (!path) this.fail(`Expected an attribute name but found "${t.text || 'end'}"`, t);
    return path;
  }

  /** The `[valFilter]` after an attribute path; `context` is the parent's definitions. */
  valueFilter(path: AttrPath, context: readonly AttributeDefinition[]): Filter {
    this.enter();
    this.expect('[');
    const parents = definitionsFor(path, context);
    const inner = this.filter(
      parents.flatMap((p) => p.subAttributes ?? []),
      true,
    );
    this.expect(']');
    this.depth--;
    return inner;
  }

  private attributeExpression(
    context: readonly AttributeDefinition[],
    inValuePath: boolean,
  ): Filter {
    const start = this.peek();
    const path = this.attrPath();
    if (this.peek().kind === '[') {
      if (inValuePath) this.fail('A value filter cannot be nested in another', this.peek());
      if (path.subAttribute !== undefined)
        this.fail('A value filter must follow an attribute', start);
      const inner = this.valueFilter(path, context);
      const sub = this.peek();
      if (sub.kind !== 'word' || !sub.text.startsWith('.')) {
        return { op: 'valuePath', path, filter: inner };
      }
      // Entra's `emails[type eq "work"].value eq "x"`: the comparison binds to the same value
      // as the filter, so it reads as `emails[type eq "work" and value eq "x"]`.
      const name = sub.text.slice(1);
      if (!ATTR_NAME.test(name)) this.fail(`Unexpected "${sub.text}"`, sub);
      this.next();
      const subs = definitionsFor(path, context).flatMap((p) => p.subAttributes ?? []);
      const comparison = this.comparison({ attribute: name }, subs);
      return { op: 'valuePath', path, filter: { op: 'and', filters: [inner, comparison] } };
    }
    return this.comparison(path, context);
  }

  /** `op value` (or `pr`) after an attribute path. */
  private comparison(path: AttrPath, context: readonly AttributeDefinition[]): Filter {
    const opToken = this.next();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { op: 'pr', path };
    if (!COMPARE.has(op))
      this.fail(`Expected an operator but found "${opToken.text || 'end'}"`, opToken);
    if (ORDERING.has(op) && definitionsFor(path, context).some((d) => d.type === 'boolean')) {
      this.fail(`"${op}" cannot compare the boolean attribute ${path.attribute}`, opToken);
    }
    const v = this.next();
    let value: CompValue;
    if (v.kind === 'string') value = unquote(v.text);
    else if (v.kind === 'word') value = bareValue(v.text);
    else this.fail(`Expected a value but found "${v.text || 'end'}"`, v);
    return { op: op as CompareOperator, path, value };
  }

  /** The rest of a PATCH path after `]`: nothing, or `.subAttribute`. */
  subAttributeAfterFilter(): string | undefined {
    const t = this.peek();
    if (t.kind === 'end') return undefined;
    this.next();
    const name = t.kind === 'word' && t.text.startsWith('.') ? t.text.slice(1) : '';
    if (!ATTR_NAME.test(name)) throw invalidPath(`Unexpected "${t.text}" after the value filter`);
    return name;
  }
}

/** Runs `parse`, turning anything unexpected (a stack overflow) into a 400 `invalidFilter`. */
function guarded<T>(text: unknown, parse: (text: string) => T): T {
  if (typeof text !== 'string') throw invalidFilter('A filter must be a string');
  if (text.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(`A filter may be at most ${MAX_FILTER_LENGTH} characters long`);
  }
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalidFilter('The filter could not be parsed');
  }
}

/** Parses a `filter` query parameter (or the body of a `.search`). 400 `invalidFilter` if bad. */
export function parseFilter(text: string): Filter {
  return guarded(text, (source) => {
    if (source.trim() === '') throw invalidFilter('The filter is empty');
    const parser = new Parser(tokenize(source), source);
    const filter = parser.filter(ALL_ATTRIBUTES, false);
    parser.done();
    return filter;
  });
}

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`. A malformed
 * path is 400 `invalidPath`; a malformed filter inside it is 400 `invalidFilter`.
 */
export function parsePath(text: string): ParsedPath {
  return guarded(text, (source) => {
    const notAPath = () => invalidPath(`"${source.slice(0, 200)}" is not an attribute path`);
    let tokens: Token[];
    try {
      tokens = tokenize(source);
    } catch {
      throw notAPath();
    }
    const first = tokens[0] as Token;
    const path = first.kind === 'word' ? parseAttrPath(first.text) : undefined;
    if (!path) throw notAPath();
    const parser = new Parser(tokens, source);
    parser.attrPath();
    if (parser.atEnd()) return { path };
    if (path.subAttribute !== undefined || !parser.at('[')) throw notAPath();
    const filter = parser.valueFilter(path, ALL_ATTRIBUTES);
    const subAttribute = parser.subAttributeAfterFilter();
    if (!parser.atEnd()) throw notAPath();
    return subAttribute === undefined ? { path, filter } : { path, filter, subAttribute };
  });
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** A key of `obj`, matched case-insensitively (exact match first). */
export function getInsensitive(obj: unknown, key: string): unknown {
  if (!isPlainObject(obj)) return undefined;
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

const CORE_URIS = new Set([USER_SCHEMA.toLowerCase(), GROUP_SCHEMA.toLowerCase()]);

interface Resolved {
  def: AttributeDefinition | undefined;
  values: unknown[];
}

const flat = (v: unknown): unknown[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

/** The values an attribute path designates in `obj`, and their definition. */
function resolve(path: AttrPath, obj: unknown, context: readonly AttributeDefinition[]): Resolved {
  let container = obj;
  let defs = context;
  if (path.uri !== undefined) {
    const uri = path.uri.toLowerCase();
    if (uri === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      container = getInsensitive(obj, ENTERPRISE_USER_SCHEMA);
      defs = findAttribute(context, ENTERPRISE_USER_SCHEMA)?.subAttributes ?? [];
    } else if (!CORE_URIS.has(uri)) {
      return { def: undefined, values: [] };
    }
  }
  const def = findAttribute(defs, path.attribute);
  const top = flat(getInsensitive(container, path.attribute));
  if (path.subAttribute === undefined) return { def, values: top };
  const sub = path.subAttribute;
  return {
    def: findAttribute(def?.subAttributes ?? [], sub),
    values: top.flatMap((v) => flat(getInsensitive(v, sub))),
  };
}

const isPresent = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  !(Array.isArray(v) && v.length === 0) &&
  !(isPlainObject(v) && Object.keys(v).length === 0);

function compareOne(
  op: CompareOperator,
  actual: unknown,
  expected: CompValue,
  def: AttributeDefinition | undefined,
): boolean {
  if (expected === null) return false;
  if (typeof actual === 'boolean') {
    const b = toBoolean(expected);
    return op === 'eq' && b !== undefined && actual === b;
  }
  if (typeof actual === 'number') {
    const n = typeof expected === 'number' ? expected : Number(expected);
    return Number.isFinite(n) && ordered(op, actual, n);
  }
  if (typeof actual !== 'string') return false;
  if (def?.type === 'boolean') {
    const a = toBoolean(actual);
    return op === 'eq' && a !== undefined && a === toBoolean(expected);
  }
  if (def?.type === 'dateTime' && !['co', 'sw', 'ew'].includes(op)) {
    const a = Date.parse(actual);
    const b = Date.parse(String(expected));
    return !Number.isNaN(a) && !Number.isNaN(b) && ordered(op, a, b);
  }
  const fold = (s: string) => (def?.caseExact ? s : s.toLowerCase());
  const a = fold(actual);
  const b = fold(String(expected));
  switch (op) {
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    default:
      return ordered(op, a, b);
  }
}

function ordered<T extends number | string>(op: CompareOperator, a: T, b: T): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return false;
  }
}

function evaluate(filter: Filter, obj: unknown, context: readonly AttributeDefinition[]): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.every((f) => evaluate(f, obj, context));
    case 'or':
      return filter.filters.some((f) => evaluate(f, obj, context));
    case 'not':
      return !evaluate(filter.filter, obj, context);
    case 'valuePath': {
      const { def, values } = resolve(filter.path, obj, context);
      const subs = def?.subAttributes ?? [];
      return values.some((v) => isPlainObject(v) && evaluate(filter.filter, v, subs));
    }
    case 'pr':
      return resolve(filter.path, obj, context).values.some(isPresent);
    default: {
      let { def, values } = resolve(filter.path, obj, context);
      // `emails co "x"`: a multi-valued complex attribute compares its `value`s.
      if (def?.type === 'complex' || values.some(isPlainObject)) {
        values = values.flatMap((v) => flat(getInsensitive(v, 'value')));
        def = findAttribute(def?.subAttributes ?? [], 'value');
      }
      if (filter.op === 'ne') {
        return (
          !values.some((v) => compareOne('eq', v, filter.value, def)) &&
          !(filter.value === null && values.length === 0)
        );
      }
      if (filter.value === null && filter.op === 'eq') return !values.some(isPresent);
      return values.some((v) => compareOne(filter.op, v, filter.value, def));
    }
  }
}

/**
 * Whether a resource (as rendered, or its attributes) matches a filter. The kind comes from the
 * resource's `schemas` unless given. Never throws.
 */
export function matches(filter: Filter, resource: unknown, kind?: ResourceKind): boolean {
  const k = kind ?? (isPlainObject(resource) ? kindOf(resource) : 'User');
  return evaluate(filter, resource, resourceAttributes(k));
}

/**
 * Whether one value of a multi-valued complex attribute (an email, a member) matches a value
 * filter, e.g. `type eq "work"` for an element of `emails`.
 */
export function matchesValue(
  filter: Filter,
  value: PlainObject,
  attribute: AttributeDefinition,
): boolean {
  return evaluate(filter, value, attribute.subAttributes ?? []);
}

/** An equality the store can answer with one key lookup. */
export interface IndexedEquality {
  attribute: 'userName' | 'externalId';
  value: string;
}

/**
 * `userName eq "x"` or `externalId eq "x"` exactly (any case of the attribute name, optionally
 * qualified with the core schema URI) → the attribute and value; anything else → `undefined`.
 * `userName` is not `caseExact`: the store must look it up case-insensitively (e.g. keyed by
 * its lower case); `externalId` is `caseExact`.
 */
export function indexedEquality(filter: Filter): IndexedEquality | undefined {
  if (filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  const { uri, attribute, subAttribute } = filter.path;
  if (subAttribute !== undefined) return undefined;
  if (uri !== undefined && !CORE_URIS.has(uri.toLowerCase())) return undefined;
  const lower = attribute.toLowerCase();
  if (lower === 'username') return { attribute: 'userName', value: filter.value };
  if (lower === 'externalid') return { attribute: 'externalId', value: filter.value };
  return undefined;
}
