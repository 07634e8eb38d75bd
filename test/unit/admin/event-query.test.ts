/**
 * The event list's query string (SPEC §11): `order`, `after` and `types`, each a 400 naming its
 * field when bad. The lists themselves are in test/integration/events.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseEventQuery } from '../../../shared/admin/events.ts';
import { ValidationError } from '../../../shared/errors.ts';

function field(query: Record<string, string>): string | undefined {
  try {
    parseEventQuery(query);
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('the event query', () => {
  it('defaults to newest first, every type', () => {
    expect(parseEventQuery({})).toEqual({});
    expect(parseEventQuery({ order: 'desc' })).toEqual({ order: 'desc' });
  });

  it('reads order, after and types', () => {
    expect(
      parseEventQuery({ order: 'asc', after: '41', types: 'member_added, member_removed' }),
    ).toEqual({ order: 'asc', after: 41, types: ['member_added', 'member_removed'] });
    expect(parseEventQuery({ order: 'asc', after: '0' })).toEqual({ order: 'asc', after: 0 });
    expect(parseEventQuery({ types: 'role_changed,role_changed' })).toEqual({
      types: ['role_changed'],
    });
  });

  it.each([
    [{ order: 'ASC' }, 'order'],
    [{ order: 'newest' }, 'order'],
    [{ order: '' }, 'order'],
    [{ order: 'asc', after: '-1' }, 'after'],
    [{ order: 'asc', after: '1.5' }, 'after'],
    [{ order: 'asc', after: 'x' }, 'after'],
    [{ order: 'asc', after: '' }, 'after'],
    [{ order: 'asc', after: ' 3' }, 'after'],
    [{ order: 'asc', after: '1e3' }, 'after'],
    [{ order: 'asc', after: '9999999999999' }, 'after'],
    [{ after: '3' }, 'after'],
    [{ order: 'desc', after: '3' }, 'after'],
    [{ types: 'member_added,nope' }, 'types'],
    [{ types: 'MEMBER_ADDED' }, 'types'],
    [{ types: '' }, 'types'],
    [{ types: 'member_added,' }, 'types'],
    [{ types: 'member_added,,role_changed' }, 'types'],
  ])('answers 400 naming the field for %j', (query, name) => {
    expect(field(query)).toBe(name);
  });
});
