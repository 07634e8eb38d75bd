/**
 * The Cognito Pre Token Generation trigger, event version 2 (SPEC §9): adds the person's
 * memberships to the ID and access tokens as the claim `orgs` (and `orgs_truncated`), on every
 * sign-in and token refresh, so that a membership change shows on the next refresh.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 *
 * SPEC §8: the claim is added only when the one trust rule (shared/trust/vouch.ts) vouches for
 * the user's attributes; a federated user's connection is read beside the person summary, in
 * the same round trip (one GetItem for a password or social user, one BatchGetItem otherwise).
 *
 * SPEC §12: on a refresh (`TokenGeneration_RefreshTokens`) it also reads the verified-domain item
 * of the email's domain, in the same round trip, and throws an error starting `SSO required` when
 * enforcement refuses the session (not an SSO session through the enforcing connection, not a
 * break-glass owner): that is how a session opened before enforcement ends. It throws for nothing
 * else, and never on another trigger source.
 *
 * It fails open: with the table slow (budget 1 s) or unavailable, the tokens are issued without
 * the claim (and without the enforcement check: a policy, not a proof), a metric counts it, and
 * a line is logged.
 */
import middy from '@middy/core';
import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createPersonReader } from '../../shared/adapters/dynamodb/person-reader.ts';
import { loadConfig } from '../../shared/config.ts';
import { normaliseEmail } from '../../shared/domains/normalise.ts';
import { invocation, log, metric } from '../../shared/observability.ts';
import { orgsClaims } from '../../shared/tokens/orgs-claim.ts';
import { enforce } from '../../shared/trust/enforcement.ts';
import { cognitoIdentity, needsConnection, vouch } from '../../shared/trust/vouch.ts';

/** How long the claim may take before the tokens go without it. */
export const CLAIM_BUDGET_MS = 1000;

/**
 * `@types/aws-lambda` types `claimsToAddOrOverride` as string values only, but in event version
 * 2 Cognito takes JSON arrays and objects there (the `orgs` claim is an array of objects):
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html#user-pool-lambda-pre-token-generation-event-versions
 */
type Claims = Record<string, unknown>;
interface TokenClaimsOverride {
  claimsAndScopeOverrideDetails?: {
    idTokenGeneration?: { claimsToAddOrOverride?: Claims };
    accessTokenGeneration?: { claimsToAddOrOverride?: Claims };
  };
}

// Built once per execution environment, at cold start: one attempt, within the budget.
const config = loadConfig();
const readPerson = createPersonReader(
  createDynamoClient(config, { maxAttempts: 1, requestTimeoutMs: CLAIM_BUDGET_MS }),
  config.tableName,
);

async function run(
  event: PreTokenGenerationV2TriggerEvent,
  context: Context,
): Promise<PreTokenGenerationV2TriggerEvent> {
  const identity = cognitoIdentity(event.request.userAttributes ?? {});
  const email = normaliseEmail(identity.email);
  if (!email) return event;
  // SPEC §12: only a refresh is refused; a new sign-in met PreAuthentication already.
  const refresh = event.triggerSource === 'TokenGeneration_RefreshTokens';
  let claims: Claims | undefined;
  let refusal: string | undefined;
  try {
    const provider = needsConnection(identity.provider) ? identity.provider : undefined;
    const { person, connection, enforcement } = await readPerson(
      email.email,
      AbortSignal.timeout(CLAIM_BUDGET_MS),
      { provider, domain: refresh ? email.domain : undefined },
    );
    const enforced = refresh ? enforce(email.email, identity.provider ?? null, enforcement) : null;
    const trust = vouch(identity, connection);
    if (enforced?.action === 'deny') refusal = enforced.message;
    // SPEC §8: a token the rule does not trust carries no orgs claim.
    else if (!trust.trusted) metric('OrgsClaimWithheld', { Reason: trust.reason });
    else claims = orgsClaims(person);
  } catch (error) {
    log.warn('tokens issued without the orgs claim', {
      requestId: context.awsRequestId,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    metric('OrgsClaimFailures', {});
    return event;
  }
  if (refusal) {
    // Outside the fail-open net above: Cognito refuses the refresh with this message.
    metric('SsoEnforcementRefused', { Door: 'refresh' });
    throw new Error(refusal);
  }
  if (!claims) return event;
  const response = event.response as unknown as TokenClaimsOverride;
  const details = response.claimsAndScopeOverrideDetails ?? {};
  response.claimsAndScopeOverrideDetails = {
    ...details,
    idTokenGeneration: {
      ...details.idTokenGeneration,
      claimsToAddOrOverride: { ...details.idTokenGeneration?.claimsToAddOrOverride, ...claims },
    },
    accessTokenGeneration: {
      ...details.accessTokenGeneration,
      claimsToAddOrOverride: {
        ...details.accessTokenGeneration?.claimsToAddOrOverride,
        ...claims,
      },
    },
  };
  return event;
}

export const handler = middy<PreTokenGenerationV2TriggerEvent, PreTokenGenerationV2TriggerEvent>(
  invocation(run),
);
