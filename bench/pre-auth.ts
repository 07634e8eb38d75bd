/**
 * The PreAuthentication trigger (functions/pre-auth/handler.ts, SPEC §12, its client built at
 * module scope as deployed) against its floor: one consistent GetItem of the verified domain,
 * sent with a client built like the handler's. Two password sign-ins: one of an address on a
 * domain whose connection enforces SSO (refused), one on a verified domain no connection serves
 * (let through after the one read). Both are the read and nothing more (SPEC §12: within 1.25×
 * of it): a refusal's record (its notice and `sign_in_denied`) is a log line the enforcement
 * recorder writes after Cognito has its answer, so the lines are written here as in Lambda (and
 * dropped, like the other handlers' logs).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createSignInFixture, lambdaContext } from '../local/sign-in-fixtures.ts';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { ENV } from '../shared/config.ts';
import type { DomainEnforcement } from '../shared/model/types.ts';
import { keys } from '../shared/table/schema.ts';
import { SSO_REQUIRED } from '../shared/trust/enforcement.ts';
import { captureJsonLogs } from './paths.ts';
import { type VersusFloor, versusFloor } from './versus-floor.ts';

type Trigger = (event: unknown, context: unknown) => Promise<unknown>;

const event = (email: string) => ({
  version: '1',
  region: 'us-east-1',
  userPoolId: 'us-east-1_bench',
  userName: email,
  callerContext: { awsSdkVersion: 'aws-sdk-unknown', clientId: 'bench' },
  triggerSource: 'PreAuthentication_Authentication',
  request: { userAttributes: { email, email_verified: 'true' }, validationData: {} },
  response: {},
});

export async function measurePreAuth(
  endpoint: string,
  options: { iterations: number; warmup: number; tableName: string },
): Promise<{ notEnforced: VersusFloor; refused: VersusFloor }> {
  // The same table name as the other handlers: they read their configuration once.
  const fx = await createSignInFixture(endpoint, { tableName: options.tableName });
  const enforced = 'enforced.pre-auth.bench';
  const open = 'open.pre-auth.bench';
  try {
    const org = await fx.org('bench-enforcing');
    const scope = { type: 'org' as const, id: org.id };
    await fx.verifiedDomain(enforced, scope, { ssoConnectionIds: ['bench-connection'] });
    await fx.verifiedDomain(open, scope);
    const enforcement: DomainEnforcement = {
      connectionId: 'bench-connection',
      connectionName: 'Bench SSO',
      providerName: 'provisio-bench',
      mode: 'on',
      breakGlass: [],
      defaultOrg: { id: org.id, name: org.name },
      companyId: null,
    };
    await fx.db.send(
      new UpdateCommand({
        TableName: fx.tableName,
        Key: keys.domainVerified(enforced),
        UpdateExpression: 'SET enforcement = :e',
        ExpressionAttributeValues: { ':e': enforcement },
      }),
    );
    Object.assign(process.env, {
      [ENV.tableName]: fx.tableName,
      [ENV.dynamodbEndpoint]: endpoint,
      [ENV.awsRegion]: 'us-east-1',
    });
    const logs = captureJsonLogs();
    const handler = (await import('../functions/pre-auth/handler.ts'))
      .handler as unknown as Trigger;
    const context = lambdaContext('provisio-pre-auth');
    const refused = async (i: number) => {
      try {
        await handler(event(`p${i}@${enforced}`), context);
      } catch (error) {
        if ((error as Error).message.startsWith(SSO_REQUIRED)) return;
        throw error;
      }
      throw new Error('pre-auth: an enforced sign-in went through (the fail-open path?)');
    };
    await refused(-1);
    const floorDb = createDynamoClient({ region: 'us-east-1', dynamodbEndpoint: endpoint });
    const floorRun = (domain: string) => () =>
      floorDb.send(
        new GetCommand({
          TableName: fx.tableName,
          Key: keys.domainVerified(domain),
          ConsistentRead: true,
        }),
      );
    try {
      return {
        refused: await versusFloor(
          {
            name: 'pre-auth trigger, enforced address (refused)',
            floor: 'GetItem of the verified domain',
            run: refused,
            floorRun: floorRun(enforced),
          },
          options,
        ),
        notEnforced: await versusFloor(
          {
            name: 'pre-auth trigger, address not enforced',
            floor: 'GetItem of the verified domain',
            run: (i) => handler(event(`p${i}@${open}`), context),
            floorRun: floorRun(open),
          },
          options,
        ),
      };
    } finally {
      logs.restore();
      floorDb.destroy();
    }
  } finally {
    await fx.drop();
  }
}
