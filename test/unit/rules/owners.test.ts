/**
 * Owners (SPEC §5, §10, shared/rules/owners.ts): a row per change to the owner count, with the
 * guard its write carries as the store renders it, and who counts as an owner.
 */
import { describe, expect, it } from 'vitest';
import { PersonChanges } from '../../../shared/adapters/dynamodb/person-changes.ts';
import { itemsOf } from '../../../shared/adapters/dynamodb/writes/index.ts';
import {
  countsAsOwner,
  OWNER_DELTA,
  type OwnerChange,
  ownerLeaving,
  roleChange,
  takesLastOwner,
} from '../../../shared/rules/owners.ts';

const LAST = 'ownerCount > :one';
const COUNTED = 'ownerCount > :none';

function rendered(owners: OwnerChange) {
  return itemsOf(
    { tableName: 't', summary: new PersonChanges() },
    { kind: 'orgCounters', orgId: 'o1', owners },
  )[0]?.Update;
}

describe('every change to the owner count, and its guard', () => {
  const rows: [OwnerChange, 1 | -1, string | undefined][] = [
    ['owner-joins', 1, undefined],
    ['promoted', 1, undefined],
    ['restored', 1, undefined],
    ['demoted', -1, LAST],
    ['owner-removed', -1, LAST],
    ['suspended', -1, COUNTED],
  ];
  it('names every change once', () => {
    expect(Object.keys(OWNER_DELTA).sort()).toEqual(rows.map(([c]) => c).sort());
  });
  for (const [change, delta, guard] of rows) {
    it(`${change}: ${delta > 0 ? '+1' : '−1'}${guard ? `, guarded by ${guard}` : ''}`, () => {
      const update = rendered(change);
      expect(update?.UpdateExpression).toBe('ADD ownerCount :owners');
      expect(update?.ExpressionAttributeValues?.[':owners']).toBe(delta);
      expect(update?.ConditionExpression).toBe(
        guard ? `attribute_exists(pk) AND ${guard}` : 'attribute_exists(pk)',
      );
    });
  }
});

describe('who owns an org', () => {
  it('an owner, unless suspended; never a member', () => {
    expect(countsAsOwner({ role: 'owner' })).toBe(true);
    expect(countsAsOwner({ role: 'owner', suspended: true })).toBe(false);
    expect(countsAsOwner({ role: 'member' })).toBe(false);
  });
  it('a leaving membership moves the count only when it owned the org', () => {
    expect(ownerLeaving({ role: 'owner' })).toBe('owner-removed');
    expect(ownerLeaving({ role: 'owner', suspended: true })).toBeUndefined();
    expect(ownerLeaving({ role: 'member' })).toBeUndefined();
  });
  it('role changes', () => {
    expect(roleChange('member', 'owner')).toBe('promoted');
    expect(roleChange('owner', 'member')).toBe('demoted');
    expect(roleChange('owner', 'owner')).toBeUndefined();
  });
  it('the last owner stays, as a read sees it', () => {
    expect(takesLastOwner({ ownerCount: 1 }, 'demoted')).toBe(true);
    expect(takesLastOwner({ ownerCount: 2 }, 'owner-removed')).toBe(false);
    expect(takesLastOwner({ ownerCount: 1 }, 'suspended')).toBe(false);
    expect(takesLastOwner({ ownerCount: 0 }, undefined)).toBe(false);
  });
  it('a seat and an owner move in one update of the org', () => {
    const [item] = itemsOf(
      { tableName: 't', summary: new PersonChanges() },
      { kind: 'orgCounters', orgId: 'o1', seats: 'member-removed', owners: 'owner-removed' },
    );
    expect(item?.Update?.UpdateExpression).toBe('ADD seatsUsed :seats, ownerCount :owners');
    expect(item?.Update?.ConditionExpression).toBe(
      `attribute_exists(pk) AND seatsUsed > :zero AND ${LAST}`,
    );
  });
});
