/**
 * The policy around one sign-in decision, shared by the Cognito trigger and the HTTP hook:
 * SSO sign-ins fail closed (SPEC §3.4), password and social sign-ins fail open (SPEC §3.5.6).
 */

import type { DenialTitle, Plan, SignIn } from '../model/types.ts';
import { log, metric } from '../observability.ts';
import { isEnterpriseProvider } from '../trust/vouch.ts';
import { type ProcessOptions, processSignIn, type SignInStore } from './process.ts';

export type SignInResult =
  | { kind: 'allow'; plan: Plan }
  /** Let through without a decision: an internal failure on the password path. */
  | { kind: 'allow-degraded' }
  | { kind: 'deny'; title: DenialTitle; message: string }
  /** Refused because of an internal failure on a possibly-SSO path (fail closed). */
  | { kind: 'unavailable'; message: string };

/** Whether an allowed plan writes nothing (a returning member, nothing new). */
const changesNothing = (plan: Plan): boolean =>
  !plan.account.create &&
  !plan.account.updateName &&
  plan.joins.length === 0 &&
  plan.invitationsAccepted.length === 0 &&
  plan.teamAdds.length === 0 &&
  plan.teamRemovals.length === 0 &&
  plan.notices.length === 0 &&
  plan.events.length === 0 &&
  plan.notifications.length === 0;

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
    // SPEC §12: only the hook refuses what enforcement refuses (Cognito's PreAuthentication does).
    const plan = await processSignIn(signIn, store, {
      ...options,
      enforceSso: context.entry === 'hook',
      entry: context.entry,
    });
    const ms = Math.round(performance.now() - started);
    const outcome = plan.outcome;
    const fields = {
      ...context,
      path,
      decision: outcome.decision,
      joins: plan.joins.map((j) => ({ orgId: j.orgId, via: j.via })),
      events: plan.events.map((e) => e.type),
      ms,
    };
    if (outcome.decision === 'allow' && changesNothing(plan)) {
      // A returning member's sign-in: the most common by far. Nothing changed, so nothing is
      // worth a billed line or metric (Lambda's own Invocations, Duration and Errors count it);
      // DEBUG shows it where wanted (docs/performance.md, "Logs").
      log.debug('sign-in decided', fields);
      return { kind: 'allow', plan };
    }
    log.info('sign-in decided', fields);
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
