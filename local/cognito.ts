/**
 * A local Cognito (`cognito-local`) with one user pool (email as username) and one app client
 * allowing USER_PASSWORD_AUTH, its PostAuthentication and PostConfirmation triggers wired to the
 * sign-in function through the local Lambda Invoke API.
 *
 * cognito-local keeps its config and data in `./.cognito` of its working directory and reads
 * its port from `PORT`, so it runs as a child process in `<dataDir>/cognito`. Its triggers are
 * global (not per pool) and come from `.cognito/config.json`: `TriggerFunctions` maps a trigger
 * to a function name that it invokes with an AWS SDK v2 Lambda client configured by
 * `LambdaClient` (so `LambdaClient.endpoint` points at our API port). It ignores errors from
 * PostAuthentication (real Cognito fails the sign-in), so denials are observed through the
 * Invoke API.
 *
 * cognito-local has no PreAuthentication trigger (SPEC §12): it listens on an internal port
 * behind the stack's Cognito endpoint, a front (`cognito-front.ts`) that runs PreAuthentication
 * and PreSignUp as Cognito does before forwarding.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startCognitoFront } from './cognito-front.ts';
import {
  LOCAL_APP_CLIENT_NAME,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_USER_POOL_NAME,
} from './options.ts';
import {
  answersHttp,
  freePorts,
  type ManagedChild,
  manageChild,
  type ServiceOptions,
  spawnChild,
  untilReady,
} from './processes.ts';
import { cognitoSdk, localClientConfig } from './sdk.ts';

const require = createRequire(import.meta.url);

/** A running cognito-local. */
export interface CognitoService extends ManagedChild {
  readonly endpoint: string;
}

/** The pool and app client the stack uses. */
export interface LocalUserPool {
  readonly userPoolId: string;
  readonly clientId: string;
}

/** cognito-local's `.cognito/config.json`; see its README, "Configuration". */
export function cognitoLocalConfig(options: {
  port: number;
  /** Where cognito-local itself listens (behind the front on `port`). @default port */
  internalPort?: number;
  lambdaEndpoint: string;
  triggerFunction: string;
}) {
  return {
    LambdaClient: {
      endpoint: options.lambdaEndpoint,
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS },
    },
    TriggerFunctions: {
      PostAuthentication: options.triggerFunction,
      PostConfirmation: options.triggerFunction,
    },
    // The token issuer is `<IssuerDomain>/<userPoolId>`, as in AWS with the Cognito domain.
    TokenConfig: { IssuerDomain: `http://localhost:${options.port}` },
    UserPoolDefaults: { UsernameAttributes: ['email'] },
    ServerConfig: { port: options.internalPort ?? options.port, hostname: 'localhost' },
  };
}

/**
 * Writes cognito-local's config and starts it behind the front on `port`; resolves once both
 * answer `/health`.
 */
export async function startCognito(
  options: ServiceOptions & {
    lambdaEndpoint: string;
    triggerFunction: string;
    /** The PreAuthentication/PreSignUp function the front runs; none: it only forwards. */
    preAuthFunction?: string | undefined;
  },
): Promise<CognitoService> {
  const [internalPort] = await freePorts(1);
  const cwd = join(options.dataDir, 'cognito');
  const logDir = join(options.dataDir, 'logs');
  await Promise.all([
    mkdir(join(cwd, '.cognito'), { recursive: true }),
    mkdir(logDir, { recursive: true }),
  ]);
  // Rewritten on every start: the ports may have changed since the last one.
  await writeFile(
    join(cwd, '.cognito', 'config.json'),
    `${JSON.stringify(cognitoLocalConfig({ ...options, internalPort }), null, 2)}\n`,
  );
  const { NODE_OPTIONS: _loaders, ...env } = process.env;
  const child = manageChild(
    'cognito',
    spawnChild(process.execPath, [require.resolve('cognito-local/lib/bin/start.js')], {
      cwd,
      env: {
        ...env,
        PORT: String(internalPort),
        HOST: 'localhost',
        // It uses the AWS SDK v2 for the Lambda client, which warns about its end of support.
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        NO_COLOR: '1',
      },
    }),
    { logFile: join(logDir, 'cognito.log'), reaper: options.reaper, echo: options.echo },
  );
  const upstream = `http://localhost:${internalPort}`;
  await untilReady(child, 'cognito-local', () => answersHttp(`${upstream}/health`), 30_000);
  const front = await startCognitoFront({
    port: options.port,
    upstream,
    lambdaEndpoint: options.lambdaEndpoint,
    preAuthFunction: options.preAuthFunction,
  }).catch(async (error: unknown) => {
    await child.stop();
    throw error;
  });
  return {
    ...child,
    endpoint: front.endpoint,
    stop: async (graceMs?: number) => {
      await front.stop();
      await child.stop(graceMs);
    },
  };
}

/**
 * Finds the pool and app client by name (they survive a restart in cognito-local's store), or
 * creates them: email as username, email auto-verified, a `custom:groups` attribute for IdP
 * groups (SPEC §2), and a public client allowing USER_PASSWORD_AUTH and refresh.
 */
export async function ensureUserPool(endpoint: string): Promise<LocalUserPool> {
  const sdk = cognitoSdk();
  const client = new sdk.CognitoIdentityProviderClient(localClientConfig(endpoint));
  try {
    const pools = await client.send(new sdk.ListUserPoolsCommand({ MaxResults: 60 }));
    let userPoolId = pools.UserPools?.find((p) => p.Name === LOCAL_USER_POOL_NAME)?.Id;
    if (!userPoolId) {
      const created = await client.send(
        new sdk.CreateUserPoolCommand({
          PoolName: LOCAL_USER_POOL_NAME,
          UsernameAttributes: ['email'],
          AutoVerifiedAttributes: ['email'],
          Schema: [{ Name: 'groups', AttributeDataType: 'String', Mutable: true }],
        }),
      );
      userPoolId = created.UserPool?.Id;
      if (!userPoolId) throw new Error('cognito-local created a user pool without an id');
    }
    const clients = await client.send(
      new sdk.ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
    );
    let clientId = clients.UserPoolClients?.find(
      (c) => c.ClientName === LOCAL_APP_CLIENT_NAME,
    )?.ClientId;
    if (!clientId) {
      const created = await client.send(
        new sdk.CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: LOCAL_APP_CLIENT_NAME,
          GenerateSecret: false,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      clientId = created.UserPoolClient?.ClientId;
      if (!clientId) throw new Error('cognito-local created an app client without an id');
    }
    return { userPoolId, clientId };
  } finally {
    client.destroy();
  }
}
