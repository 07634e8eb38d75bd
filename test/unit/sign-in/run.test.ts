/**
 * The policy around one decision (shared/sign-in/run.ts): what it logs and counts. A returning
 * member's sign-in, which changes nothing, writes no line at INFO and no metric (the cost target of
 * docs/performance.md); one that changes something, or denies, writes both.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignInState } from '../../../shared/model/types.ts';
import type { SignInStore } from '../../../shared/sign-in/process.ts';
import { runSignIn } from '../../../shared/sign-in/run.ts';
import { adaSignIn, stateOf } from '../../support/sign-in-state.ts';

const signIn = adaSignIn;
const stateWith = (account: boolean): SignInState =>
  stateOf(account ? { email: 'ada@acme.com', username: 'ada1234', name: 'Ada' } : undefined);

const store = (state: SignInState): SignInStore => ({
  load: async () => state,
  apply: async () => undefined,
});

let lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
beforeEach(() => {
  lines = [];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
});
afterEach(() => {
  process.stdout.write = write;
});

describe('what a sign-in logs', () => {
  it('a returning member who changes nothing: no INFO line, no metric', async () => {
    const result = await runSignIn(signIn, store(stateWith(true)), { entry: 'cognito' });
    expect(result.kind).toBe('allow');
    expect(lines).toEqual([]);
  });

  it('a first sign-in (an account created): one INFO line and its metrics', async () => {
    const result = await runSignIn(signIn, store(stateWith(false)), { entry: 'cognito' });
    expect(result.kind).toBe('allow');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([
      'sign-in decided',
    ]);
    expect(parsed.filter((l) => '_aws' in l).map((l) => Object.keys(l).at(-1))).toEqual([
      'SignInDecision',
      'SignInLatency',
    ]);
  });
});
