/**
 * The Cognito PostAuthentication and PostConfirmation trigger (SPEC §2, §3).
 * Cognito calls PostConfirmation on a federated user's first sign-in and PostAuthentication on
 * later ones, so both run the same decision:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
 *
 * It returns the event to let a sign-in through and throws only to refuse one: a denial
 * (`Access denied…`, `No seats available…`) or, on the SSO path, an internal failure.
 */
import middy from '@middy/core';
import type {
  Context,
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
} from 'aws-lambda';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { loadConfig } from '../../shared/config.ts';
import { invocation, log, metric } from '../../shared/observability.ts';
import {
  fromCognitoAttributes,
  primaryProviderName,
  UnusableSignInError,
} from '../../shared/sign-in/normalise.ts';
import { failsClosed, runSignIn } from '../../shared/sign-in/run.ts';

type TriggerEvent = PostAuthenticationTriggerEvent | PostConfirmationTriggerEvent;

const DECIDING_SOURCES = new Set([
  'PostAuthentication_Authentication',
  'PostConfirmation_ConfirmSignUp',
]);

// Built once per execution environment, at cold start.
const config = loadConfig();
const store = createSignInStore(createDynamoClient(config), config.tableName);

async function run(event: TriggerEvent, context: Context): Promise<TriggerEvent> {
  if (!DECIDING_SOURCES.has(event.triggerSource)) return event;
  const attributes = event.request.userAttributes ?? {};
  let signIn: ReturnType<typeof fromCognitoAttributes>;
  try {
    signIn = fromCognitoAttributes(attributes, config.groupsAttribute);
  } catch (error) {
    if (!(error instanceof UnusableSignInError)) throw error;
    const provider = primaryProviderName(attributes.identities);
    log.warn('sign-in without a usable email', {
      requestId: context.awsRequestId,
      provider: provider ?? null,
    });
    metric('SignInUnusable', { FailMode: failsClosed(provider) ? 'closed' : 'open' });
    // SPEC §2: only the SSO path refuses an event without a usable email.
    if (failsClosed(provider))
      throw new Error('Access denied: the identity provider sent no usable email address.');
    return event;
  }
  const result = await runSignIn(signIn, store, {
    entry: 'cognito',
    requestId: context.awsRequestId,
  });
  switch (result.kind) {
    case 'deny':
      throw new Error(result.message);
    case 'unavailable':
      throw new Error(result.message);
    default:
      return event;
  }
}

export const handler = middy<TriggerEvent, TriggerEvent>(invocation(run));
