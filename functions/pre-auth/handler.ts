/**
 * The Cognito PreAuthentication and PreSignUp triggers (SPEC §12, SSO enforcement): a password,
 * social or other provider's sign-in of an address whose domain's SSO connection enforces SSO is
 * refused before it authenticates, and so is a self-service sign-up (`PreSignUp_SignUp`); an
 * external provider's sign-up and an operator's `AdminCreateUser` never are.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-authentication.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html
 *
 * A Cognito trigger has no HTTP: it throws only to refuse, and Cognito shows the error's message
 * (`SSO required: …`, naming the connection) to the person.
 *
 * It reads one item (the verified domain, which mirrors its connection's enforcement), writes
 * nothing (what it records is a log line the enforcement recorder writes), and fails open: with the table slow (budget 1 s) or unavailable the sign-in goes through, a metric counts
 * it and a line is logged (enforcement is a policy on how people authenticate, SPEC §12).
 */
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { Context, PreAuthenticationTriggerEvent, PreSignUpTriggerEvent } from 'aws-lambda';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createEnforcementReader } from '../../shared/adapters/dynamodb/enforcement-store.ts';
import { loadConfig } from '../../shared/config.ts';
import { normaliseEmail } from '../../shared/domains/normalise.ts';
import { invocation, log, logRecord, metric } from '../../shared/observability.ts';
import {
  decidePreAuthentication,
  ENFORCEMENT_RECORD,
  preAuthenticationKind,
} from '../../shared/sign-in/pre-authentication.ts';
import { primaryProvider } from '../../shared/trust/vouch.ts';

/** How long the enforcement check may take before the sign-in goes through unchecked. */
export const CHECK_BUDGET_MS = 1000;

type Event = PreAuthenticationTriggerEvent | PreSignUpTriggerEvent;

// Built once per execution environment, at cold start: one attempt, within the budget.
const config = loadConfig();
const store = createEnforcementReader(
  createDynamoClient(config, { maxAttempts: 1, requestTimeoutMs: CHECK_BUDGET_MS }),
  config.tableName,
);

const errorFields = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message } : String(error);

async function run(event: Event, context: Context): Promise<Event> {
  const kind = preAuthenticationKind(event.triggerSource);
  if (kind === 'exempt') return event;
  const attributes = event.request.userAttributes ?? {};
  const email = normaliseEmail(attributes.email);
  if (!email) return event;
  let domain: Awaited<ReturnType<typeof store.readDomain>>;
  try {
    domain = await store.readDomain(email.domain, AbortSignal.timeout(CHECK_BUDGET_MS));
  } catch (error) {
    log.warn('sign-in let through without the SSO enforcement check', {
      requestId: context.awsRequestId,
      triggerSource: event.triggerSource,
      error: errorFields(error),
    });
    metric('EnforcementCheckFailures', {});
    return event;
  }
  const outcome = decidePreAuthentication(
    { kind, email: email.email, provider: primaryProvider(attributes.identities) },
    domain,
    { now: new Date(), newId: randomUUID },
  );
  if (outcome.decision.action !== 'allow') {
    metric('SsoEnforcement', { Outcome: outcome.decision.action });
  }
  // Nothing is written on Cognito's path: what the decision records (events, notices, mail,
  // no-lockout markers) goes out as one record line, which the log subscription hands to the
  // enforcement recorder (functions/registry.ts `logSubscriptions`).
  if (outcome.records.length || outcome.markers.length) {
    logRecord(ENFORCEMENT_RECORD, { records: outcome.records, markers: outcome.markers });
  }
  // SPEC §12: the refusal Cognito shows; the only reason this trigger throws.
  if (outcome.refusal) throw new Error(outcome.refusal);
  return event;
}

export const handler = middy<Event, Event>(invocation(run));
