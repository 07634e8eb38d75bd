/**
 * The HTTP sign-in hook (SPEC §5, `POST /v1/hooks/sign-in`) for IdPs other than Cognito:
 * the same decision as the Cognito trigger, authenticated by an HMAC signature.
 */
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { createHookSecret } from '../../shared/adapters/secrets/hook-secret.ts';
import { loadConfig } from '../../shared/config.ts';
import {
  SignInDeniedError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '../../shared/errors.ts';
import { bodyText } from '../../shared/http/body.ts';
import { json, problemErrors } from '../../shared/http/problem.ts';
import { invocation } from '../../shared/observability.ts';
import { checkHookSignature } from '../../shared/sign-in/hook-signature.ts';
import { runSignIn } from '../../shared/sign-in/run.ts';

// Built once per execution environment, at cold start.
const config = loadConfig();
const store = createSignInStore(createDynamoClient(config), config.tableName);
// Read with the first request and again after its max age, so a rotated secret takes effect.
const hookSecret = createHookSecret();
/** The body's schema, with zod, loaded by the first request rather than at cold start. */
let bodyModule: Promise<typeof import('../../shared/sign-in/hook-body.ts')> | undefined;
const hookBody = () => (bodyModule ??= import('../../shared/sign-in/hook-body.ts'));

async function run(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const raw = bodyText(event);
  const problem = checkHookSignature(
    await hookSecret(),
    raw,
    event.headers?.['provisio-signature'],
    Math.floor(Date.now() / 1000),
  );
  if (problem) throw new UnauthorizedError(problem);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ValidationError('body', 'must be valid JSON');
  }
  const { fromHookBody } = await hookBody();
  const signIn = fromHookBody(body);
  const result = await runSignIn(signIn, store, { entry: 'hook', requestId: context.awsRequestId });
  switch (result.kind) {
    case 'allow':
      return json(200, { decision: 'allow', memberships: result.plan.memberships });
    case 'allow-degraded':
      // SPEC §3.5.6: the password path lets the sign-in through when Provisio cannot decide.
      return json(200, { decision: 'allow', memberships: [], degraded: true });
    case 'deny':
      throw new SignInDeniedError(result.title, result.message);
    case 'unavailable':
      throw new UnavailableError(result.message);
  }
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
  invocation(run),
).use(problemErrors());
