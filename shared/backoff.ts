/**
 * Exponential backoff between retries, for every retry loop (mail records, sign-in races,
 * DynamoDB batch reads and transactions, the local stream poller). Each caller keeps its own
 * numbers; only the arithmetic is shared. Jitter, after the AWS Architecture Blog's
 * "Exponential Backoff And Jitter":
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */

/** How a retry loop backs off. */
export interface BackoffOptions {
  /** The delay of attempt 0; attempt `n` waits `baseMs * 2 ** n`. */
  readonly baseMs: number;
  /** The longest delay before jitter. @default no cap */
  readonly capMs?: number;
  /**
   * `none`: exactly the delay; `full`: uniform in [0, delay) ("full jitter"), so contenders
   * spread out; `centred`: uniform in [delay/2, 3·delay/2), the delay on average.
   * @default 'none'
   */
  readonly jitter?: 'none' | 'full' | 'centred';
}

/**
 * The milliseconds to wait before retry `attempt` (0-based: the first wait is `baseMs`):
 * `min(capMs, baseMs · 2^attempt)`, then jittered. `random` is `Math.random` but for tests.
 */
export function backoffMs(
  attempt: number,
  { baseMs, capMs = Number.POSITIVE_INFINITY, jitter = 'none' }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const delay = Math.min(capMs, baseMs * 2 ** attempt);
  if (jitter === 'full') return random() * delay;
  if (jitter === 'centred') return delay * (0.5 + random());
  return delay;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
