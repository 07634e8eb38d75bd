/**
 * Seats (SPEC §1): an org's `seatsUsed` counts its members and its pending invitations, and is
 * never above `seatLimit` (`null`: unlimited). This module names every change to the counter and
 * the guard each one carries; every path (the sign-in, the admin API, SCIM, scheduled jobs) asks
 * it for the write, and the store renders the guard as the condition of that write
 * (shared/adapters/dynamodb/writes/org.ts), so no path can take a seat without it.
 *
 * | change                                             | seats | guard                         |
 * | -------------------------------------------------- | ----- | ----------------------------- |
 * | a member joins with a new seat (auto-provisioning, |  +1   | `free`: seatsUsed < seatLimit |
 * |   JIT, group mapping, SCIM)                        |       |   (or no limit)               |
 * | an invitation is created                           |  +1   | `free`                        |
 * | an invitation is accepted by a new member          |   0   | none: the seat it held        |
 * | an invitation is accepted by a member already      |  −1   | `held`: seatsUsed > 0         |
 * | an invitation is revoked                           |  −1   | `held`                        |
 * | an invitation expires (SPEC §13)                   |  −1   | `held`                        |
 * | an expired invitation is resent (SPEC §13)         |  +1   | `free`                        |
 * | a bulk invitation reserves n seats (SPEC §13)      |  +n   | seatsUsed ≤ seatLimit − n,    |
 * |                                                    |       |   the limit as read           |
 * | a bulk invitation releases seats it did not use    |  −n   | seatsUsed ≥ n                 |
 * | a member is removed (admin API, SCIM)              |  −1   | `held`                        |
 * | the seat limit changes                             |   —   | seatsUsed ≤ the new limit     |
 *
 * Pure; test/unit/rules/seats.test.ts has a row per change.
 */

import type { SeatChange } from '../model/writes.ts';

export type { SeatChange };

/** How a seat change moves the counter. */
export const SEAT_DELTA: Readonly<Record<SeatChange, -1 | 0 | 1>> = {
  'member-joins': 1,
  'invitation-created': 1,
  'invitation-accepted': 0,
  'invitation-accepted-by-member': -1,
  'invitation-revoked': -1,
  'invitation-expired': -1,
  'invitation-renewed': 1,
  'member-removed': -1,
};

/**
 * The condition a counter move carries: `free` (a seat is free: below the limit, or no limit),
 * `held` (a seat is counted, so the counter stays ≥ 0).
 */
export type SeatGuard = 'free' | 'held';

export const seatGuard = (delta: -1 | 1): SeatGuard => (delta > 0 ? 'free' : 'held');

/** An org's seats as stored. */
export interface Seats {
  seatLimit: number | null;
  seatsUsed: number;
}

/** Whether a seat is free: the `free` guard, as a read sees it (the write's condition decides). */
export const hasFreeSeat = (org: Seats): boolean =>
  org.seatLimit === null || org.seatsUsed < org.seatLimit;

/** Whether a new limit fits the seats in use (`null`: unlimited, always). */
export const limitFits = (org: Seats, seatLimit: number | null): boolean =>
  seatLimit === null || org.seatsUsed <= seatLimit;

/** Seats free for new invitations or members; `null` when unlimited. */
export const freeSeats = (org: Seats): number | null =>
  org.seatLimit === null ? null : Math.max(0, org.seatLimit - org.seatsUsed);

/**
 * The guard of reserving `count` seats in one counter update (SPEC §13 bulk invitations): the
 * limit is still the one read (`seatLimit`), and `seatsUsed` is at most `maxUsed` before the
 * update, so that it is at most the limit after. `null` when unlimited: nothing to guard but
 * that the org still has no limit.
 */
export const reservationGuard = (
  seatLimit: number | null,
  count: number,
): { seatLimit: number; maxUsed: number } | null =>
  seatLimit === null ? null : { seatLimit, maxUsed: seatLimit - count };
