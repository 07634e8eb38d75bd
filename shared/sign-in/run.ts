/**
 * The policy around one sign-in decision, shared by the Cognito trigger and the HTTP hook:
 * SSO sign-ins fail closed (SPEC §3.4), password and social sign-ins fail open (SPEC §3.5.6).
 */
import { log, metric } from '../observability.ts';
import { isEnterpriseProvider } from '../trust/vouch.ts';
import { type ProcessOptions, processSignIn, type SignInStore } from './process.ts';
import type { Plan, SignIn } from './types.ts';

export type SignInResult =
  | { kind: 'allow'; plan: Plan }
  /** Let through without a decision: an internal failure on the password path. */
  | { kind: 'allow-degraded' }
  | { kind: 'deny'; title: 'Access denied' | 'No seats available'; message: string }
  /** Refused because of an internal failure on a possibly-SSO path (fail closed). */
  | { kind: 'unavailable'; message: string };

/** Whether a failure to decide must refuse this sign-in: any provider that may be an SSO connection's. */
export const failsClosed = isEnterpriseProvider;

/** Decides one sign-in, applying the failure policy; never throws. */
export async function runSignIn(
  signIn: SignIn,
  store: SignInStore,
  context: { entry: 'cognito' | 'hook'; requestId?: string },
  options: ProcessOptions = {},
): Promise<SignInResult> {
  const started = performance.now();
  const path = signIn.connection ? 'federated' : 'password';
  try {
    const plan = await processSignIn(signIn, store, options);
    const ms = Math.round(performance.now() - started);
    const outcome = plan.outcome;
    log.info('sign-in decided', {
      ...context,
      path,
      decision: outcome.decision,
      joins: plan.joins.map((j) => ({ orgId: j.orgId, via: j.via })),
      events: plan.events.map((e) => e.type),
      ms,
    });
    metric('SignInDecision', { Outcome: outcome.decision, Entry: context.entry });
    metric('SignInLatency', { Entry: context.entry }, ms, 'Milliseconds');
    if (outcome.decision === 'deny')
      return { kind: 'deny', title: outcome.title, message: outcome.message };
    return { kind: 'allow', plan };
  } catch (error) {
    const closed = failsClosed(signIn.connection);
    log.error('sign-in decision failed', {
      ...context,
      path,
      failsClosed: closed,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    metric('SignInFailure', { FailMode: closed ? 'closed' : 'open', Entry: context.entry });
    if (closed) {
      return {
        kind: 'unavailable',
        message: 'Sign-in is temporarily unavailable; please try again in a moment.',
      };
    }
    return { kind: 'allow-degraded' };
  }
}
