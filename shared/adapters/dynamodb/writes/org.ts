/**
 * Org items: the org (its seat and owner counters, whose guards are named in
 * shared/rules/seats.ts and shared/rules/owners.ts and rendered here as conditions), its name
 * guard, its company.
 */
import { OWNER_DELTA, ownerGuard } from '../../../rules/owners.ts';
import { reservationGuard, SEAT_DELTA, seatGuard } from '../../../rules/seats.ts';
import { keys } from '../../../table/schema.ts';
import { orgItem, orgNameGuardItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import type { Condition, WriteContext, WriteOf } from './context.ts';
import { ABSENT, EXISTS, put, update } from './context.ts';

/**
 * The seat guard `free` (SPEC §1): a seat is taken only while `seatsUsed` is below `seatLimit`
 * (absent or null: unlimited). The sign-in and every admin and SCIM path take seats through it.
 */
const SEAT_FREE: Condition = {
  expression:
    '(attribute_not_exists(seatLimit) OR attribute_type(seatLimit, :null) OR seatsUsed < seatLimit)',
  values: { ':null': 'NULL' },
};
/** The seat guard `held`: a seat is counted, so the counter never goes below 0. */
const SEAT_HELD: Condition = { expression: 'seatsUsed > :zero', values: { ':zero': 0 } };
/** The owner guard `last`: the last owner stays. */
const OWNER_LAST: Condition = { expression: 'ownerCount > :one', values: { ':one': 1 } };
/** The owner guard `counted`: an owner is counted (a suspension may take the count to 0). */
const OWNER_COUNTED: Condition = { expression: 'ownerCount > :none', values: { ':none': 0 } };
const NO_COMPANY = '(attribute_not_exists(companyId) OR attribute_type(companyId, :null))';

/** All of `conditions` at once (their values merged). */
function allOf(...conditions: Condition[]): Condition {
  return {
    expression: conditions.map((c) => c.expression).join(' AND '),
    values: Object.assign({}, ...conditions.map((c) => c.values ?? {})),
    names: Object.assign({}, ...conditions.map((c) => c.names ?? {})),
  };
}

export function putOrg(cx: WriteContext, w: WriteOf<'putOrg'>): TransactItem[] {
  return [put(cx, orgItem(w.org), ABSENT)];
}

export function putOrgName(cx: WriteContext, w: WriteOf<'putOrgName'>): TransactItem[] {
  return [put(cx, orgNameGuardItem(w.name, w.orgId, w.companyId), ABSENT)];
}

export function setOrgNameCompany(
  cx: WriteContext,
  w: WriteOf<'setOrgNameCompany'>,
): TransactItem[] {
  return [
    update(
      cx,
      keys.orgNameGuard(w.name),
      'SET companyId = :c',
      { expression: 'attribute_exists(pk) AND orgId = :o', values: { ':o': w.orgId } },
      { ':c': w.companyId },
    ),
  ];
}

export function setSeatLimit(cx: WriteContext, w: WriteOf<'setSeatLimit'>): TransactItem[] {
  // The limit may not go below the seats in use (shared/rules/seats.ts, `limitFits`).
  const condition =
    w.seatLimit === null
      ? EXISTS
      : allOf(EXISTS, { expression: 'seatsUsed <= :l', values: { ':l': w.seatLimit } });
  return [
    update(cx, keys.org(w.orgId), 'SET seatLimit = :l', condition, {
      ':l': w.seatLimit,
    }),
  ];
}

/** One update of the org's counters, with the guard of each move. */
export function orgCounters(cx: WriteContext, w: WriteOf<'orgCounters'>): TransactItem[] {
  const adds: string[] = [];
  const conditions: Condition[] = [EXISTS];
  const values: Record<string, unknown> = {};
  const seats = w.seats ? SEAT_DELTA[w.seats] : 0;
  if (seats) {
    adds.push('seatsUsed :seats');
    values[':seats'] = seats;
    conditions.push(seatGuard(seats) === 'free' ? SEAT_FREE : SEAT_HELD);
  }
  if (w.owners) {
    adds.push('ownerCount :owners');
    values[':owners'] = OWNER_DELTA[w.owners];
    const guard = ownerGuard(w.owners);
    if (guard) conditions.push(guard === 'last' ? OWNER_LAST : OWNER_COUNTED);
  }
  if (w.ownConfig) {
    adds.push('ownConfig :own');
    values[':own'] = w.ownConfig;
    if (w.ownConfig > 0) conditions.push({ expression: NO_COMPANY, values: { ':null': 'NULL' } });
  }
  if (!adds.length) {
    // Nothing moves (an invitation accepted by a new member); the org must still be there.
    return [];
  }
  return [update(cx, keys.org(w.orgId), `ADD ${adds.join(', ')}`, allOf(...conditions), values)];
}

/** SPEC §13 bulk: `count` seats at once, guarded by `reservationGuard` over the limit as read. */
export function reserveSeats(cx: WriteContext, w: WriteOf<'reserveSeats'>): TransactItem[] {
  const guard = reservationGuard(w.seatLimit, w.count);
  const condition: Condition = guard
    ? {
        expression: 'attribute_exists(pk) AND seatLimit = :limit AND seatsUsed <= :max',
        values: { ':limit': guard.seatLimit, ':max': guard.maxUsed },
      }
    : {
        expression:
          'attribute_exists(pk) AND (attribute_not_exists(seatLimit) OR attribute_type(seatLimit, :null))',
        values: { ':null': 'NULL' },
      };
  return [update(cx, keys.org(w.orgId), 'ADD seatsUsed :n', condition, { ':n': w.count })];
}

/** Gives back seats a bulk run reserved and did not use; the counter never goes below 0. */
export function releaseSeats(cx: WriteContext, w: WriteOf<'releaseSeats'>): TransactItem[] {
  return [
    update(
      cx,
      keys.org(w.orgId),
      'ADD seatsUsed :n',
      { expression: 'seatsUsed >= :count', values: { ':count': w.count } },
      { ':n': -w.count },
    ),
  ];
}

export function joinCompany(cx: WriteContext, w: WriteOf<'joinCompany'>): TransactItem[] {
  return [
    update(
      cx,
      keys.org(w.orgId),
      'SET companyId = :c',
      {
        expression: `attribute_exists(pk) AND ${NO_COMPANY} AND (attribute_not_exists(ownConfig) OR ownConfig = :zero)`,
        values: { ':null': 'NULL', ':zero': 0 },
      },
      { ':c': w.companyId },
    ),
  ];
}
