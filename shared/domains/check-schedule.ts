/**
 * The domain checker's schedule (SPEC §5 "Domain verification"), pure: given a claim, what one
 * TXT look-up found and the time, what the claim becomes. No I/O and no clock of its own.
 *
 * - pending: looked up every hour for 72 hours after it was added; found → verified (through
 *   the same change as `POST .../verify`); after the last hourly check it is left pending and
 *   no longer scheduled (`nextCheckAt: null`): the API shows `checkExpired: true`.
 * - verified: looked up every day; found → `missingSince` cleared; missing → `missingSince` set at
 *   the first miss; missing for 7 days → verification lost (pending, auto-provisioning off).
 * - a look-up that could not be made (resolver down, timeout) is no answer: nothing changes and
 *   the claim, still due, is looked up again at the next run.
 *
 * Checks keep the claim's own rhythm: the next check is the first slot of its grid (its previous
 * due time plus whole intervals) after now, so an hourly run that starts a little early or late
 * still sees each claim every hour instead of every other hour.
 */
import type { DomainClaimRecord } from '../model/records.ts';

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** How often a pending claim is looked up, and for how long after it was added. */
export const PENDING_CHECK_INTERVAL_MS = HOUR_MS;
export const PENDING_CHECK_WINDOW_MS = 72 * HOUR_MS;
/** How often a verified claim is looked up. */
export const VERIFIED_CHECK_INTERVAL_MS = DAY_MS;
/** How long a verified domain's record may be missing before verification is lost. */
export const MISSING_GRACE_MS = 7 * DAY_MS;

/** The actor of the events the checker records. */
export const DOMAIN_CHECKER_ACTOR = 'domain-checker';

/** What one TXT look-up of the claim's name found. */
export type TxtLookupResult =
  /** A record equals the claim's value. */
  | { kind: 'found' }
  /** The name answered, without the claim's value (`records` may be empty: no record at all). */
  | { kind: 'missing'; records: string[] }
  /** The resolvers could not be asked (timeout, refused, SERVFAIL): not an answer. */
  | { kind: 'unavailable'; reason: string };

/** How a check ended, for logs and the `DomainChecks` metric. */
export type CheckOutcome =
  | 'verified'
  | 'still-pending'
  | 'window-expired'
  | 'still-verified'
  | 'missing'
  | 'still-missing'
  | 'lost'
  | 'unavailable';

/** What a check does to a claim. */
export type CheckDecision =
  /** Nothing is written: the look-up failed, so the claim stays due for the next run. */
  | { action: 'keep'; outcome: 'unavailable'; reason: string }
  /**
   * Verify the claim exactly as the admin verify route does. `otherwise` is the claim's next
   * state should the domain turn out to be verified by another org or company meanwhile.
   */
  | { action: 'verify'; outcome: 'verified'; otherwise: DomainClaimRecord }
  /** Write the claim's new schedule (and `missingSince`); status and auto-provisioning unchanged. */
  | {
      action: 'update';
      outcome: Exclude<CheckOutcome, 'verified' | 'lost' | 'unavailable'>;
      after: DomainClaimRecord;
    }
  /** Verification lost: the claim back to pending with auto-provisioning off, and the rest of the change. */
  | { action: 'lose'; outcome: 'lost'; after: DomainClaimRecord };

/** Whether the claim's next check is due at `now` (an unscheduled claim never is). */
export function isDue(claim: DomainClaimRecord, now: Date): boolean {
  if (!claim.nextCheckAt) return false;
  const due = Date.parse(claim.nextCheckAt);
  return Number.isNaN(due) || due <= now.getTime();
}

/**
 * The first slot of the claim's grid after `now`: its due time plus whole intervals. A claim
 * without a readable due time starts a new grid at `now`.
 */
export function nextSlot(dueAt: string | null, now: Date, intervalMs: number): Date {
  const due = dueAt ? Date.parse(dueAt) : Number.NaN;
  const t = now.getTime();
  if (Number.isNaN(due) || due > t) return new Date(t + intervalMs);
  return new Date(due + (Math.floor((t - due) / intervalMs) + 1) * intervalMs);
}

/** When a verified claim whose record has been missing since `missingSince` loses verification. */
export const lostAt = (missingSince: string): Date =>
  new Date(Date.parse(missingSince) + MISSING_GRACE_MS);

/** The pending claim's next state when the record is not (yet) its own: next hour, or no more. */
function pendingNotVerified(
  claim: DomainClaimRecord,
  now: Date,
): Extract<CheckDecision, { action: 'update' }> {
  const next = nextSlot(claim.nextCheckAt, now, PENDING_CHECK_INTERVAL_MS);
  const windowEnd = Date.parse(claim.addedAt) + PENDING_CHECK_WINDOW_MS;
  // An unreadable `addedAt` compares false: the window is over rather than endless.
  if (next.getTime() <= windowEnd) {
    return {
      action: 'update',
      outcome: 'still-pending',
      after: { ...claim, nextCheckAt: next.toISOString() },
    };
  }
  return { action: 'update', outcome: 'window-expired', after: { ...claim, nextCheckAt: null } };
}

/**
 * The decision for a due claim (see `isDue`) and what its look-up found, at `now`.
 */
export function decideCheck(
  claim: DomainClaimRecord,
  lookup: TxtLookupResult,
  now: Date,
): CheckDecision {
  if (lookup.kind === 'unavailable') {
    return { action: 'keep', outcome: 'unavailable', reason: lookup.reason };
  }
  if (claim.status === 'pending') {
    if (lookup.kind === 'found') {
      return {
        action: 'verify',
        outcome: 'verified',
        otherwise: pendingNotVerified(claim, now).after,
      };
    }
    return pendingNotVerified(claim, now);
  }

  const daily = nextSlot(claim.nextCheckAt, now, VERIFIED_CHECK_INTERVAL_MS);
  if (lookup.kind === 'found') {
    return {
      action: 'update',
      outcome: 'still-verified',
      after: { ...claim, missingSince: null, nextCheckAt: daily.toISOString() },
    };
  }
  const missingSince = claim.missingSince ?? now.toISOString();
  const lost = lostAt(missingSince);
  if (now.getTime() >= lost.getTime()) {
    return {
      action: 'lose',
      outcome: 'lost',
      after: {
        ...claim,
        status: 'pending',
        autoProvisioning: { enabled: false, orgId: null },
        verifiedAt: null,
        // Kept: a pending claim with `missingSince` is one whose verification was lost.
        missingSince,
        // No more automatic checks: the owners are told to publish the record and verify.
        nextCheckAt: null,
      },
    };
  }
  // The check that would cross the 7-day mark happens at the mark, not up to a day later.
  const next = daily.getTime() < lost.getTime() ? daily : lost;
  return {
    action: 'update',
    outcome: claim.missingSince ? 'still-missing' : 'missing',
    after: { ...claim, missingSince, nextCheckAt: next.toISOString() },
  };
}
