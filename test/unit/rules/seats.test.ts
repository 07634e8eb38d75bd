/**
 * Seats (SPEC §1, shared/rules/seats.ts): a row per change to the seat counter, with the guard
 * its write carries as the store renders it (shared/adapters/dynamodb/writes/org.ts).
 */
import { describe, expect, it } from 'vitest';
import { PersonChanges } from '../../../shared/adapters/dynamodb/person-changes.ts';
import { itemsOf } from '../../../shared/adapters/dynamodb/writes/index.ts';
import {
  hasFreeSeat,
  limitFits,
  SEAT_DELTA,
  type SeatChange,
} from '../../../shared/rules/seats.ts';

const FREE =
  '(attribute_not_exists(seatLimit) OR attribute_type(seatLimit, :null) OR seatsUsed < seatLimit)';
const HELD = 'seatsUsed > :zero';

/** The org counter update a seat change writes, as DynamoDB receives it. */
function rendered(seats: SeatChange) {
  const items = itemsOf(
    { tableName: 't', summary: new PersonChanges() },
    { kind: 'orgCounters', orgId: 'o1', seats },
  );
  return items[0]?.Update;
}

describe('every change to the seat counter, and its guard', () => {
  const rows: [SeatChange, -1 | 0 | 1, string | undefined][] = [
    ['member-joins', 1, FREE],
    ['invitation-created', 1, FREE],
    ['invitation-accepted', 0, undefined],
    ['invitation-accepted-by-member', -1, HELD],
    ['invitation-revoked', -1, HELD],
    ['invitation-expired', -1, HELD],
    ['invitation-renewed', 1, FREE],
    ['member-removed', -1, HELD],
  ];
  it('names every change once', () => {
    expect(Object.keys(SEAT_DELTA).sort()).toEqual(rows.map(([c]) => c).sort());
  });
  for (const [change, delta, guard] of rows) {
    it(`${change}: ${delta > 0 ? '+1' : delta < 0 ? '−1' : 'no move'}${guard ? `, guarded by ${guard === FREE ? 'a free seat' : 'a counted seat'}` : ''}`, () => {
      expect(SEAT_DELTA[change]).toBe(delta);
      const update = rendered(change);
      if (delta === 0) {
        expect(update).toBeUndefined();
        return;
      }
      expect(update?.UpdateExpression).toBe('ADD seatsUsed :seats');
      expect(update?.ExpressionAttributeValues?.[':seats']).toBe(delta);
      expect(update?.ConditionExpression).toBe(`attribute_exists(pk) AND ${guard}`);
    });
  }
});

describe('a free seat as a read sees it', () => {
  it.each([
    [{ seatLimit: null, seatsUsed: 1000 }, true],
    [{ seatLimit: 3, seatsUsed: 2 }, true],
    [{ seatLimit: 3, seatsUsed: 3 }, false],
    [{ seatLimit: 0, seatsUsed: 0 }, false],
  ])('%j has a free seat: %s', (org, free) => {
    expect(hasFreeSeat(org)).toBe(free);
  });
  it.each([
    [{ seatLimit: 5, seatsUsed: 3 }, 3, true],
    [{ seatLimit: 5, seatsUsed: 3 }, 2, false],
    [{ seatLimit: 5, seatsUsed: 3 }, null, true],
  ])('%j takes the limit %j: %s', (org, limit, fits) => {
    expect(limitFits(org, limit)).toBe(fits);
  });
  it('a new limit is guarded by the seats in use', () => {
    const [item] = itemsOf(
      { tableName: 't', summary: new PersonChanges() },
      { kind: 'setSeatLimit', orgId: 'o1', seatLimit: 4 },
    );
    expect(item?.Update?.ConditionExpression).toBe('attribute_exists(pk) AND seatsUsed <= :l');
  });
});
