/**
 * Owners (SPEC §5, §10): an org keeps at least one owner. `ownerCount` counts the memberships
 * that own the org: role `owner` and not suspended (a suspended owner, SPEC §10, keeps the
 * membership so no org is orphaned, but counts as no owner and administers nothing). This
 * module names every change to the count and the guard each one carries; the store renders the
 * guard as the condition of the org's counter update (shared/adapters/dynamodb/writes/org.ts)
 * and keeps each owner's index entry (shared/adapters/dynamodb/person-changes.ts, through
 * `countsAsOwner`).
 *
 * | change                                        | owners | guard                              |
 * | --------------------------------------------- | ------ | ---------------------------------- |
 * | an owner joins (org created, owner invited)   |  +1    | none                               |
 * | a member is promoted to owner                 |  +1    | none                               |
 * | a suspended owner is restored                 |  +1    | none                               |
 * | an owner is demoted                           |  −1    | `last`: ownerCount > 1             |
 * | an owner is removed                           |  −1    | `last`                             |
 * | an owner is suspended (SCIM deactivation)     |  −1    | `counted`: ownerCount > 0 (may     |
 * |                                               |        |   reach 0: the membership stays)   |
 *
 * Pure; test/unit/rules/owners.test.ts has a row per change.
 */
import type { Role } from '../model/types.ts';
import type { OwnerChange } from '../model/writes.ts';

export type { OwnerChange };

export const OWNER_DELTA: Readonly<Record<OwnerChange, -1 | 1>> = {
  'owner-joins': 1,
  promoted: 1,
  restored: 1,
  demoted: -1,
  'owner-removed': -1,
  suspended: -1,
};

/** The condition an owner-count move carries (none for an increase). */
export type OwnerGuard = 'last' | 'counted';

export const ownerGuard = (change: OwnerChange): OwnerGuard | undefined =>
  OWNER_DELTA[change] > 0 ? undefined : change === 'suspended' ? 'counted' : 'last';

/** Whether a membership owns its org: an owner's role, not suspended. */
export const countsAsOwner = (m: {
  role: Role | unknown;
  suspended?: boolean | unknown;
}): boolean => m.role === 'owner' && m.suspended !== true;

/** The owner change of a membership leaving its org, if it owned it. */
export const ownerLeaving = (m: { role: Role; suspended?: boolean | undefined }) =>
  countsAsOwner(m) ? ('owner-removed' as const) : undefined;

/** The owner change of a role change, if any. */
export const roleChange = (from: Role, to: Role): OwnerChange | undefined =>
  from === to ? undefined : to === 'owner' ? 'promoted' : 'demoted';

/** Whether a change would take the org's last owner (the `last` guard, as a read sees it). */
export const takesLastOwner = (org: { ownerCount: number }, change: OwnerChange | undefined) =>
  change !== undefined && ownerGuard(change) === 'last' && org.ownerCount <= 1;
