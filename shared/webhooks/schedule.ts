/**
 * SPEC §11 retries: after a failed attempt, the next one comes about 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h and 10 h later (±10 %), never sooner than a `Retry-After` asks; after the eighth
 * attempt the delivery has failed (and stays replayable). Pure: the randomness is handed in.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The waits after attempts 1, 2, … 7. */
export const RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
]);

/** Attempts in all: the first and one per wait. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** A `Retry-After` longer than this is not waited for: the schedule's longest wait caps it. */
const RETRY_AFTER_CAP_MS = 10 * HOUR;

/** How the schedule is applied. */
export interface ScheduleOptions {
  /** The schedule's waits are multiplied by this (a test setting shortens them). @default 1 */
  readonly scale?: number;
  /** What the endpoint's `Retry-After` asked, in ms, if anything. */
  readonly retryAfterMs?: number | null;
  /** Uniform in [0, 1); `Math.random` but for tests. */
  readonly random?: () => number;
}

/**
 * The milliseconds to wait after failed attempt `attempt` (1-based), or `null` when it was the
 * last one. Jitter is ±10 %; `Retry-After` is a floor (capped at the longest wait, so an
 * endpoint cannot park a delivery for ever).
 */
export function retryDelayMs(attempt: number, options: ScheduleOptions = {}): number | null {
  const base = RETRY_SCHEDULE_MS[attempt - 1];
  if (base === undefined || attempt < 1) return null;
  const random = options.random ?? Math.random;
  const jittered = base * (options.scale ?? 1) * (0.9 + 0.2 * random());
  const asked = Math.min(options.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS * (options.scale ?? 1));
  return Math.round(Math.max(jittered, asked));
}

/**
 * A `Retry-After` header as milliseconds from `now`: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3); `null` when absent or malformed.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  const raw = value?.trim();
  if (!raw) return null;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // An HTTP date names its weekday and month; anything else is not one.
  if (!/[a-z]/i.test(raw)) return null;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** SPEC §11: an endpoint failing this long in a row is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * HOUR;
