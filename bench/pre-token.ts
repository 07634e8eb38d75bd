/**
 * The Pre Token Generation trigger (functions/pre-token/handler.ts, its client built at module
 * scope as deployed) against its floors, sent with a client built like the handler's: at a
 * sign-in, one consistent GetItem of the person summary; at a refresh, which also asks SSO
 * enforcement (SPEC §12), one BatchGetItem of the summary and the email's verified domain. The
 * person, a password user, is a member of five orgs, with teams.
 */
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createSignInFixture, lambdaContext } from '../local/sign-in-fixtures.ts';
import { preTokenEvent } from '../local/tokens.ts';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { ENV } from '../shared/config.ts';
import { keys } from '../shared/table/schema.ts';
import { type VersusFloor, versusFloor } from './versus-floor.ts';

type Trigger = (event: unknown, context: unknown) => Promise<{ response: unknown }>;

export async function measurePreToken(
  endpoint: string,
  options: { iterations: number; warmup: number; tableName: string },
): Promise<VersusFloor[]> {
  // The same table name as the sign-in paths: the handlers read their configuration once.
  const fx = await createSignInFixture(endpoint, { tableName: options.tableName });
  const email = 'tokens@pre-token.bench';
  try {
    for (let i = 0; i < 5; i++) {
      const org = await fx.org(`bench-tokens-${i}`);
      await fx.member(email, org, { teams: [{ team: 'dev', via: 'admin' }] });
    }
    Object.assign(process.env, {
      [ENV.tableName]: fx.tableName,
      [ENV.dynamodbEndpoint]: endpoint,
      [ENV.awsRegion]: 'us-east-1',
    });
    const handler = (await import('../functions/pre-token/handler.ts'))
      .handler as unknown as Trigger;
    const floorDb = createDynamoClient({ region: 'us-east-1', dynamodbEndpoint: endpoint });
    // A password user with a verified email: the trust rule asks for no connection.
    const event = (triggerSource = 'TokenGeneration_Authentication') =>
      preTokenEvent({ email, email_verified: 'true' }, { triggerSource });
    // The claim must be there, or the bench measures the fail-open path.
    const first = (await handler(event(), lambdaContext('provisio-pre-token'))) as {
      response: {
        claimsAndScopeOverrideDetails?: {
          idTokenGeneration?: { claimsToAddOrOverride?: { orgs?: unknown[] } };
        };
      };
    };
    const orgs =
      first.response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride?.orgs;
    if (orgs?.length !== 5) throw new Error(`pre-token: expected 5 orgs, got ${orgs?.length}`);
    try {
      const signIn = await versusFloor(
        {
          name: 'pre-token trigger (5 orgs)',
          floor: 'GetItem of the person summary',
          run: () => handler(event(), lambdaContext('provisio-pre-token')),
          floorRun: () =>
            floorDb.send(
              new GetCommand({
                TableName: fx.tableName,
                Key: keys.personSummary(email),
                ConsistentRead: true,
              }),
            ),
        },
        options,
      );
      const refresh = await versusFloor(
        {
          name: 'pre-token trigger at a refresh (5 orgs, SSO enforcement asked)',
          floor: 'BatchGetItem of the person summary and the verified domain',
          run: () =>
            handler(event('TokenGeneration_RefreshTokens'), lambdaContext('provisio-pre-token')),
          floorRun: () =>
            floorDb.send(
              new BatchGetCommand({
                RequestItems: {
                  [fx.tableName]: {
                    Keys: [keys.personSummary(email), keys.domainVerified(email.split('@')[1]!)],
                    ConsistentRead: true,
                  },
                },
              }),
            ),
        },
        options,
      );
      return [signIn, refresh];
    } finally {
      floorDb.destroy();
    }
  } finally {
    await fx.drop();
  }
}
