import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../../shared/errors.ts';
import {
  MAX_ATTEMPTS,
  PlanConflictError,
  processSignIn,
  type SignInStore,
} from '../../../shared/sign-in/process.ts';
import { adaSignIn, stateOf } from '../../support/sign-in-state.ts';

const signIn = adaSignIn;
const emptyState = stateOf();

/** A request that takes `ms` of (fake) time, or fails at once when the signal aborts. */
function request<T>(ms: number, signal: AbortSignal | undefined, outcome: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    }, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    });
  });
}

describe('processSignIn', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads again and decides again after a lost race, then succeeds', async () => {
    let applies = 0;
    const store: SignInStore = {
      load: async () => emptyState,
      apply: async () => {
        if (++applies < 3) throw new PlanConflictError([], false, true);
      },
    };
    const done = processSignIn(signIn, store);
    await vi.runAllTimersAsync();
    await expect(done).resolves.toMatchObject({ outcome: { decision: 'allow' } });
    expect(applies).toBe(3);
  });

  it('passes what a failed seat condition taught to the next read', async () => {
    const seen: string[][] = [];
    let applies = 0;
    const store: SignInStore = {
      load: async (_s, full) => {
        seen.push([...full]);
        return emptyState;
      },
      apply: async () => {
        if (++applies === 1) throw new PlanConflictError(['org-1'], false, false);
      },
    };
    const done = processSignIn(signIn, store);
    await vi.runAllTimersAsync();
    await done;
    expect(seen).toEqual([[], ['org-1']]);
  });

  it('stops at the deadline, retries included, aborting the request in flight', async () => {
    const signals: AbortSignal[] = [];
    let applies = 0;
    const store: SignInStore = {
      load: (_s, _f, signal) => request(150, signal, () => emptyState),
      apply: (_s, _p, _n, _a, signal) => {
        if (signal) signals.push(signal);
        applies++;
        return request(300, signal, () => {
          throw new PlanConflictError([], false, true);
        });
      },
    };
    const started = Date.now();
    let failedAt = 0;
    const done = processSignIn(signIn, store, { deadlineMs: 1000 });
    done.catch(() => {
      failedAt = Date.now();
    });
    const outcome = expect(done).rejects.toBeInstanceOf(UnavailableError);
    await vi.advanceTimersByTimeAsync(5000);
    await outcome;
    expect(applies).toBeGreaterThan(1);
    // It gave up when the deadline passed (fake time), in the middle of a request, not after it.
    expect(failedAt - started).toBe(1000);
    expect(signals.at(-1)?.aborted).toBe(true);
  });

  it('reads the person from their items once the same plan is refused twice, and repairs the summary', async () => {
    const loads: boolean[] = [];
    const repairs: unknown[] = [];
    const items = [{ pk: 'ACCOUNT#ada@acme.com', sk: 'ACCOUNT' }];
    const store: SignInStore = {
      load: async (_s, _f, _signal, options) => {
        loads.push(!!options?.fromItems);
        return options?.fromItems
          ? { ...emptyState, person: { ...emptyState.person, items } }
          : emptyState;
      },
      apply: async (_s, _p, _n, _a, _signal, repair) => {
        repairs.push(repair);
        // The summary lies: the plan decided on it is refused until the repair.
        if (!repair) throw new PlanConflictError([], false, true);
      },
    };
    const done = processSignIn(signIn, store);
    await vi.runAllTimersAsync();
    await done;
    expect(loads).toEqual([false, false, true]);
    expect(repairs).toEqual([undefined, undefined, items]);
  });

  it('gives up after MAX_ATTEMPTS refusals, well before the deadline', async () => {
    let applies = 0;
    const store: SignInStore = {
      load: async () => emptyState,
      apply: async () => {
        applies++;
        throw new PlanConflictError([], false, true);
      },
    };
    const done = processSignIn(signIn, store, { deadlineMs: 60_000 });
    const outcome = expect(done).rejects.toThrow(/refused 10 times/);
    await vi.runAllTimersAsync();
    await outcome;
    expect(applies).toBe(MAX_ATTEMPTS);
  });

  it('retries transaction conflicts (contention, nothing refused) without counting them', async () => {
    let applies = 0;
    const store: SignInStore = {
      load: async () => emptyState,
      apply: async () => {
        if (++applies <= MAX_ATTEMPTS + 5) throw new PlanConflictError([], false, true, true);
      },
    };
    const done = processSignIn(signIn, store, { deadlineMs: 60_000 });
    await vi.runAllTimersAsync();
    await expect(done).resolves.toMatchObject({ outcome: { decision: 'allow' } });
    expect(applies).toBe(MAX_ATTEMPTS + 6);
  });

  it('lets other failures through at once', async () => {
    const store: SignInStore = {
      load: async () => {
        throw new UnavailableError('table down');
      },
      apply: async () => undefined,
    };
    await expect(processSignIn(signIn, store)).rejects.toThrow('table down');
  });
});
