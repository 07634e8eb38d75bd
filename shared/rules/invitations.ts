/**
 * An invitation's lifecycle (SPEC §13), written once: when it expires, whether it may still be
 * accepted, what the API calls its status, when it may be mailed again and when the scheduled
 * run has to look at it next. Every door that accepts invitations (the sign-in, SCIM) asks
 * `isAcceptable`; the admin API and the scheduled run ask the rest. Pure.
 *
 * | state as stored                      | status    | acceptable | holds a seat | due for the run at    |
 * | ------------------------------------ | --------- | ---------- | ------------ | --------------------- |
 * | `expiresAt` in the future            | `pending` | yes        | yes          | `expiresAt`           |
 * | `expiresAt` past, not yet expired    | `expired` | no         | yes          | `expiresAt` (overdue) |
 * | `expiredAt` set (seat freed)         | `expired` | no         | no           | `expiresAt` + 30 days |
 */
import type { Invitation } from '../model/types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days an invitation stays acceptable when creation names none. */
export const DEFAULT_EXPIRY_DAYS = 14;
/** The range `expiresInDays` may take on creation. */
export const MIN_EXPIRY_DAYS = 1;
export const MAX_EXPIRY_DAYS = 90;
/** Days an expired invitation is still listed (`status: "expired"`) before it is deleted. */
export const EXPIRED_RETENTION_DAYS = 30;
/** At most this many rows in one bulk invitation. */
export const MAX_BULK_ROWS = 1000;
/**
 * How long a bulk invitation run may stay in progress (a Lambda function runs at most 15
 * minutes) before the scheduled run gives back the seats it reserved and did not use.
 */
export const BULK_RUN_STALE_MS = 15 * 60 * 1000;
/** An invitation is mailed at most once per this interval (a resend sooner is 429). */
export const RESEND_INTERVAL_MS = 10 * 60 * 1000;

export type InvitationStatus = 'pending' | 'expired';

/** When an invitation sent at `sentAt` expires. */
export const expiresAtFrom = (sentAt: string, days: number = DEFAULT_EXPIRY_DAYS): string =>
  new Date(Date.parse(sentAt) + days * DAY_MS).toISOString();

/** What the API calls it at `now`: expired from `expiresAt` on, whether or not the run has come. */
export const invitationStatus = (
  i: Pick<Invitation, 'expiresAt' | 'expiredAt'>,
  now: Date,
): InvitationStatus =>
  i.expiredAt !== undefined || Date.parse(i.expiresAt) <= now.getTime() ? 'expired' : 'pending';

/** Whether it may be accepted at `now`: an expired invitation never is, even before the run. */
export const isAcceptable = (i: Invitation, now: Date): boolean =>
  invitationStatus(i, now) === 'pending';

/** Whether it holds a seat: until the scheduled run expires it (shared/rules/seats.ts). */
export const holdsSeat = (i: Invitation): boolean => i.expiredAt === undefined;

/** When an expired invitation is deleted (it is listed until then). */
export const deleteAt = (i: Invitation): string =>
  new Date(Date.parse(i.expiresAt) + EXPIRED_RETENTION_DAYS * DAY_MS).toISOString();

/** When the scheduled run has to look at it next: to expire it, then to delete it. */
export const lifecycleDueAt = (i: Invitation): string => (holdsSeat(i) ? i.expiresAt : deleteAt(i));

/** What the scheduled run does with it at `now`. */
export const lifecycleStep = (i: Invitation, now: Date): 'expire' | 'delete' | 'none' => {
  if (holdsSeat(i)) return Date.parse(i.expiresAt) <= now.getTime() ? 'expire' : 'none';
  return Date.parse(deleteAt(i)) <= now.getTime() ? 'delete' : 'none';
};

/** Whole seconds until it may be mailed again (0: now). */
export const resendWaitSeconds = (i: Invitation, now: Date): number =>
  Math.max(0, Math.ceil((Date.parse(i.sentAt) + RESEND_INTERVAL_MS - now.getTime()) / 1000));
