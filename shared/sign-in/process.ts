/**
 * One sign-in from start to end: read the state, decide, write the plan; on a lost race, read
 * again and decide again. The store is a port (shared/adapters/dynamodb/sign-in-store.ts).
 */
import { backoffMs, sleep } from '../backoff.ts';
import { UnavailableError } from '../errors.ts';
import type { Plan, SignIn, SignInState } from '../model/types.ts';
import { type DecideOptions, decide } from './decide.ts';

/** Why a plan could not be written as decided. */
export class PlanConflictError extends Error {
  constructor(
    /** Orgs whose seat condition failed: they have no free seat now. */
    readonly fullOrgIds: string[],
    /** The generated username was taken. */
    readonly usernameTaken: boolean,
    /** Another change (a concurrent or retried sign-in) changed what the plan was based on. */
    readonly stale: boolean,
    /**
     * Only a transaction conflict cancelled it: another transaction was writing the same items
     * at that moment; no condition failed and nothing says the plan was wrong.
     */
    readonly conflictOnly = false,
  ) {
    super('The sign-in plan conflicted with a concurrent change');
  }
}

/** What the sign-in needs from storage. */
export interface SignInStore {
  /**
   * Reads the state of one sign-in in at most two round trips; `fullOrgIds` are known to have
   * no seat. `signal` aborts the requests in flight when the sign-in runs out of time. With
   * `fromItems`, the person is read from their items instead of their summary, and the state's
   * `person.items` carries them.
   */
  load(
    signIn: SignIn,
    fullOrgIds: ReadonlySet<string>,
    signal?: AbortSignal,
    options?: { fromItems?: boolean },
  ): Promise<SignInState>;
  /**
   * Writes the plan in one transaction (nothing when it changes nothing, unless it repairs).
   * Throws `PlanConflictError` when a condition fails; `attempt` varies generated usernames.
   * `repair` (the person's items as read) rewrites their summary from them in the transaction.
   */
  apply(
    signIn: SignIn,
    plan: Plan,
    now: Date,
    attempt: number,
    signal?: AbortSignal,
    repair?: readonly Record<string, unknown>[],
  ): Promise<void>;
}

/**
 * Plans refused by a condition before a sign-in gives up. Races for seats and counters settle
 * in a few; more means something keeps refusing the plan. Transaction conflicts (contention,
 * nothing refused) do not count: they are retried until the deadline.
 */
export const MAX_ATTEMPTS = 10;

export interface ProcessOptions extends DecideOptions {
  /** Give up (and fail) after this long. @default 3500 ms, inside Cognito's 5 s trigger limit */
  readonly deadlineMs?: number;
  readonly now?: () => Date;
}

/** Decides and applies one sign-in; returns the plan that was written. */
export async function processSignIn(
  signIn: SignIn,
  store: SignInStore,
  options: ProcessOptions = {},
): Promise<Plan> {
  const now = options.now ?? (() => new Date());
  // One deadline for the whole sign-in, retries included: every request in flight is aborted
  // when it passes, so a slow table cannot stretch a sign-in past Cognito's 5 s.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.deadlineMs ?? 3500);
  const outOfTime = (cause?: unknown) =>
    new UnavailableError('The sign-in could not be completed in time', { cause });
  try {
    const fullOrgIds = new Set<string>();
    // The person summary can drift from the items it mirrors (a write that lost a race, a bug):
    // then every plan decided on it is refused the same way. The second time the same plan is
    // refused, the person is read from their items, and the transaction rewrites the summary.
    let fromItems = false;
    let refused: string | undefined;
    let refusals = 0;
    for (let attempt = 0; ; attempt++) {
      if (deadline.signal.aborted) throw outOfTime();
      if (refusals >= MAX_ATTEMPTS) {
        throw new UnavailableError(
          `The sign-in could not be completed: its plan was refused ${MAX_ATTEMPTS} times`,
        );
      }
      let state: SignInState;
      try {
        state = await store.load(signIn, fullOrgIds, deadline.signal, { fromItems });
      } catch (error) {
        throw deadline.signal.aborted ? outOfTime(error) : error;
      }
      const plan = decide(signIn, state, now(), options);
      try {
        await store.apply(signIn, plan, now(), attempt, deadline.signal, state.person.items);
        return plan;
      } catch (error) {
        if (deadline.signal.aborted) throw outOfTime(error);
        if (!(error instanceof PlanConflictError)) throw error;
        for (const id of error.fullOrgIds) fullOrgIds.add(id);
        if (!error.conflictOnly) refusals++;
        if (error.stale && !error.fullOrgIds.length && !error.usernameTaken) {
          if (!error.conflictOnly) {
            const key = JSON.stringify(plan);
            if (key === refused) fromItems = true;
            refused = key;
          }
          // Lost a race: back off with jitter so that contenders spread out, then read afresh.
          await sleep(backoffMs(attempt, { baseMs: 10, capMs: 200, jitter: 'full' }));
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
