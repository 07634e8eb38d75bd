/**
 * Property tests: whatever a client sends, the SCIM core answers with a result or a 4xx
 * application error (which the handler renders as a SCIM error), never with another exception (a 500).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.ts';
import { matches, parseFilter, parsePath } from '../../../shared/scim/protocol/filter.ts';
import { applyPatch } from '../../../shared/scim/protocol/patch.ts';
import { parseListQuery } from '../../../shared/scim/protocol/query.ts';
import {
  normaliseGroup,
  normaliseUser,
  projectAttributes,
  toUserResource,
} from '../../../shared/scim/protocol/resource.ts';
import { ENTERPRISE, PATCH_OP } from './support.ts';

/** Runs `f`; a 4xx AppError is an acceptable outcome, anything else thrown fails the property. */
function onlyScimErrors<T>(f: () => T): T | AppError {
  try {
    return f();
  } catch (error) {
    if (error instanceof AppError) {
      expect(error.statusCode).toBeGreaterThanOrEqual(400);
      expect(error.statusCode).toBeLessThan(500);
      return error;
    }
    throw error;
  }
}

const user = normaliseUser({
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  [ENTERPRISE]: { department: 'Sales', manager: { value: 'm-1' } },
});
const rendered = toUserResource(user, {
  id: 'u-1',
  created: '2020-01-01T00:00:00Z',
  lastModified: '2021-01-01T00:00:00Z',
  location: 'https://x/Users/u-1',
});

/** Attribute names in random case, so the case-insensitive paths get exercised. */
const randomCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((flags) => [...s].map((c, i) => (flags[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const NAMES = [
  'userName',
  'name',
  'name.givenName',
  'displayName',
  'active',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'addresses',
  'externalId',
  'id',
  'meta',
  'meta.created',
  'members',
  'members.value',
  'title',
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager.value`,
  ENTERPRISE,
  'unknown',
];
const name = fc.constantFrom(...NAMES).chain(randomCase);

const FILTER_WORDS = [
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
  'pr',
  '(',
  ')',
  '[',
  ']',
  'true',
  'False',
  'null',
  '42',
  '-1.5e3',
  '"x"',
  '"a\\"b"',
  '"\\u00e9"',
  'Employee',
  '2015-10-10T14:38:21Z',
  '"',
  '\\',
  '.value',
  'type',
];
const filterText = fc
  .array(fc.oneof(fc.constantFrom(...FILTER_WORDS), name, fc.string({ maxLength: 4 })), {
    maxLength: 14,
  })
  .map((parts) => parts.join(' '));
/** Mostly well-formed filters, so that `matches` gets exercised. */
const wellFormed = fc.letrec<{ filter: string; leaf: string }>((tie) => ({
  leaf: fc.oneof(
    fc
      .tuple(
        name,
        fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'),
        fc.constantFrom('"x"', 'true', '1', 'null', 'Bob', '"2020-06-01T00:00:00Z"', '"bjensen"'),
      )
      .map(([n, op, v]) => `${n} ${op} ${v}`),
    name.map((n) => `${n} pr`),
    fc.constantFrom(
      'emails[type eq "work" and value co "@example.com"]',
      'emails[primary eq true]',
      'members[value eq "u-1"]',
    ),
  ),
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf') as fc.Arbitrary<string>,
    fc
      .tuple(
        tie('filter') as fc.Arbitrary<string>,
        fc.constantFrom('and', 'or'),
        tie('filter') as fc.Arbitrary<string>,
      )
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    (tie('filter') as fc.Arbitrary<string>).map((f) => `not (${f})`),
    (tie('filter') as fc.Arbitrary<string>).map((f) => `(${f})`),
  ),
})).filter;

describe('parseFilter and matches', () => {
  it('parse any string or throw only 4xx errors', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.string({ unit: 'grapheme', maxLength: 30 }),
          filterText,
        ),
        (text) => {
          const parsed = onlyScimErrors(() => parseFilter(text));
          if (!(parsed instanceof AppError))
            expect(typeof matches(parsed, rendered)).toBe('boolean');
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('evaluate well-formed filters on any resource without throwing', () => {
    fc.assert(
      fc.property(
        wellFormed,
        fc.oneof(fc.constant(rendered as unknown), fc.jsonValue(), fc.anything()),
        (text, resource) => {
          const parsed = onlyScimErrors(() => parseFilter(text));
          if (parsed instanceof AppError) return;
          expect(typeof matches(parsed, resource)).toBe('boolean');
          expect(typeof matches(parsed, resource, 'Group')).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parse PATCH paths or throw only 4xx errors', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), filterText, name), (text) => {
        const parsed = onlyScimErrors(() => parsePath(text));
        if (!(parsed instanceof AppError)) expect(typeof parsed.path.attribute).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

const userLike = fc.dictionary(
  fc.oneof(
    name,
    fc.string({ maxLength: 6 }),
    fc.constantFrom('__proto__', 'constructor', 'schemas'),
  ),
  fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('True', 'false', 'bjensen@example.com')),
  { maxKeys: 8 },
);

describe('normaliseUser and normaliseGroup', () => {
  it('accept anything or throw only 4xx errors, and are idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          userLike,
          userLike.map((u) => ({ ...u, userName: 'a@x.com', displayName: 'g' })),
        ),
        (input) => {
          for (const normalise of [normaliseUser, normaliseGroup] as const) {
            const out = onlyScimErrors(() => normalise(input));
            if (!(out instanceof AppError)) expect(normalise(out)).toEqual(out);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

const operation = fc.record(
  {
    op: fc.oneof(
      fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'REMOVE'),
      fc.string({ maxLength: 4 }),
    ),
    path: fc.oneof(
      name,
      filterText,
      fc.constantFrom(
        'emails[type eq "work"].value',
        'members[value eq "u-1"]',
        'emails[type eq "home"].primary',
        'name.givenName',
      ),
    ),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), userLike, fc.array(userLike, { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

describe('applyPatch', () => {
  it('applies any PatchOp or throws only 4xx errors, leaving a valid resource', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 5 }), (Operations) => {
        const out = onlyScimErrors(() =>
          applyPatch(user, { schemas: [PATCH_OP], Operations }, 'User'),
        );
        if (out instanceof AppError) return;
        expect(normaliseUser(out.resource)).toEqual(out.resource);
        const group = onlyScimErrors(() =>
          applyPatch(
            { displayName: 'g', members: [{ value: 'u-1' }] },
            { schemas: [PATCH_OP], Operations },
            'Group',
          ),
        );
        if (!(group instanceof AppError))
          expect(normaliseGroup(group.resource)).toEqual(group.resource);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes any body at all', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.anything() }),
        ),
        (body) => {
          const out = onlyScimErrors(() => applyPatch(user, body, 'User'));
          if (!(out instanceof AppError)) expect(normaliseUser(out.resource)).toEqual(out.resource);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('parseListQuery and projectAttributes', () => {
  it('parse any query or throw only 4xx errors; project any attribute list', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'filter',
            'startIndex',
            'count',
            'attributes',
            'excludedAttributes',
            'COUNT',
          ),
          fc.oneof(fc.string({ maxLength: 20 }), filterText),
        ),
        (params) => {
          const q = onlyScimErrors(() => parseListQuery(params));
          if (q instanceof AppError) return;
          expect(q.startIndex).toBeGreaterThanOrEqual(1);
          expect(q.count).toBeGreaterThanOrEqual(0);
          expect(q.count).toBeLessThanOrEqual(100);
          const projected = projectAttributes(rendered, q);
          expect(projected).toMatchObject({
            schemas: rendered.schemas,
            id: 'u-1',
            meta: rendered.meta,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
