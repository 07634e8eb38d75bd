/**
 * The local stack the integration globalSetup started (test/global-setup.ts), and small helpers
 * to talk to it: SDK clients pointed at it, Cognito users with tokens, the invocation log.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { inject } from 'vitest';
import type { InvocationRecord } from '../../local/lambda-runtime.ts';
import { localClientConfig } from '../../local/sdk.ts';
import type { LocalStackConfig } from '../../local/stack.ts';
import { signHookBody } from '../../shared/sign-in/hook-signature.ts';
import { remoteDns } from './dns-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The local stack's `local.json`, provided by test/global-setup.ts. */
    localStack: LocalStackConfig;
    /** The local stack's data directory (its `local.json`, `logs/`, ...). */
    localStackDir: string;
    /** Control URL of the DNS server the stack's handlers resolve through (`DNS_SERVERS`). */
    dnsControl: string;
  }
}

// The SDKs' one-file CommonJS builds load much faster than their ESM builds under vitest.
const require = createRequire(import.meta.url);
type DynamoDbSdk = typeof import('@aws-sdk/client-dynamodb');
type CognitoSdk = typeof import('@aws-sdk/client-cognito-identity-provider');
type LambdaSdk = typeof import('@aws-sdk/client-lambda');

/** The running local stack's configuration (its `local.json`). */
export function localStack(): LocalStackConfig {
  const config = inject('localStack');
  if (!config) throw new Error('No local stack: run this file in the `integration` project');
  return config;
}

/** A DynamoDB client for DynamoDB Local (remember to `destroy()` it). */
export function dynamoDbClient(): InstanceType<DynamoDbSdk['DynamoDBClient']> {
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as DynamoDbSdk;
  return new DynamoDBClient(localClientConfig(localStack().dynamodb.endpoint));
}

/** A Lambda client for the local Invoke API. */
export function lambdaClient(): InstanceType<LambdaSdk['LambdaClient']> {
  const { LambdaClient } = require('@aws-sdk/client-lambda') as LambdaSdk;
  return new LambdaClient(localClientConfig(localStack().lambdaEndpoint));
}

let sharedLambda: InstanceType<LambdaSdk['LambdaClient']> | undefined;

/**
 * Invokes one of the stack's functions through its Lambda Invoke API, as Cognito or any AWS
 * client would; `error` is the message of what the function threw (what Cognito would show).
 */
export async function invokeFunction(
  functionName: string,
  event: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: a function's answer is checked field by field
): Promise<{ error: string | undefined; payload: any }> {
  const { InvokeCommand } = require('@aws-sdk/client-lambda') as LambdaSdk;
  sharedLambda ??= lambdaClient();
  const out = await sharedLambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const payload = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
  return { error: out.FunctionError ? String(payload.errorMessage) : undefined, payload };
}

/** A Cognito client for cognito-local. */
export function cognitoClient(): InstanceType<CognitoSdk['CognitoIdentityProviderClient']> {
  const { CognitoIdentityProviderClient } =
    require('@aws-sdk/client-cognito-identity-provider') as CognitoSdk;
  return new CognitoIdentityProviderClient(localClientConfig(localStack().cognito.endpoint));
}

/** An email address no other test uses. */
export function uniqueEmail(domain = 'example.com'): string {
  return `user-${randomUUID().slice(0, 8)}@${domain}`;
}

/** Tokens from a USER_PASSWORD_AUTH sign-in. */
export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** A Cognito user of the local pool. */
export interface TestUser {
  readonly email: string;
  readonly password: string;
}

const PASSWORD = 'Correct-horse-1';

/**
 * Creates a confirmed user with a permanent password, as an administrator would
 * (AdminCreateUser, AdminSetUserPassword): no trigger runs.
 */
export async function createUser(
  options: { email?: string; password?: string; attributes?: Record<string, string> } = {},
): Promise<TestUser> {
  const sdk = require('@aws-sdk/client-cognito-identity-provider') as CognitoSdk;
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? PASSWORD;
  const { userPoolId } = localStack().cognito;
  const client = cognitoClient();
  try {
    await client.send(
      new sdk.AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: Object.entries({
          email,
          email_verified: 'true',
          ...options.attributes,
        }).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    await client.send(
      new sdk.AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );
    return { email, password };
  } finally {
    client.destroy();
  }
}

/**
 * Signs a user up and confirms them as an administrator would (SignUp, AdminConfirmSignUp):
 * the PostConfirmation trigger runs with `PostConfirmation_ConfirmSignUp`.
 */
export async function signUp(
  options: { email?: string; password?: string; attributes?: Record<string, string> } = {},
): Promise<TestUser> {
  const sdk = require('@aws-sdk/client-cognito-identity-provider') as CognitoSdk;
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? PASSWORD;
  const { userPoolId, clientId } = localStack().cognito;
  const client = cognitoClient();
  try {
    await client.send(
      new sdk.SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: password,
        UserAttributes: Object.entries({ email, ...options.attributes }).map(([Name, Value]) => ({
          Name,
          Value,
        })),
      }),
    );
    await client.send(
      new sdk.AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }),
    );
    return { email, password };
  } finally {
    client.destroy();
  }
}

/** Signs in with USER_PASSWORD_AUTH (the PostAuthentication trigger runs) and returns the tokens. */
export async function signIn(user: TestUser): Promise<Tokens> {
  const sdk = require('@aws-sdk/client-cognito-identity-provider') as CognitoSdk;
  const client = cognitoClient();
  try {
    const { AuthenticationResult: result } = await client.send(
      new sdk.InitiateAuthCommand({
        ClientId: localStack().cognito.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.email, PASSWORD: user.password },
      }),
    );
    if (!result?.IdToken || !result.AccessToken || !result.RefreshToken) {
      throw new Error(`No tokens for ${user.email}: ${JSON.stringify(result)}`);
    }
    return {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken,
    };
  } finally {
    client.destroy();
  }
}

/** A new confirmed user, signed in: its email, password and tokens. */
export async function signedInUser(
  options: { email?: string; attributes?: Record<string, string> } = {},
): Promise<TestUser & Tokens> {
  const user = await createUser(options);
  return { ...user, ...(await signIn(user)) };
}

/**
 * What the local API server's Lambda runtime invoked (`GET /_local/invocations`), oldest first;
 * `since` is a `seq` seen before, to get only later ones.
 */
export async function invocations(
  filter: { functionName?: string; since?: number } = {},
): Promise<InvocationRecord[]> {
  const url = new URL('/_local/invocations', localStack().apiUrl);
  if (filter.functionName) url.searchParams.set('function', filter.functionName);
  if (filter.since !== undefined) url.searchParams.set('since', String(filter.since));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return ((await response.json()) as { items: InvocationRecord[] }).items;
}

/**
 * Waits until the asynchronous invocations the stack started so far are done: the recorders a
 * log subscription hands a trigger's record lines to (functions/registry.ts `logSubscriptions`).
 */
export async function settled(): Promise<void> {
  const url = new URL('/_local/settled', localStack().apiUrl);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
}

/** The highest invocation `seq` so far (0 when none), to pass as `since` later. */
export async function lastInvocationSeq(): Promise<number> {
  return (await invocations()).at(-1)?.seq ?? 0;
}

/** `fetch` against the local API (`path` like `/v1/orgs`), with a bearer token when given. */
export function api(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const { token, headers, ...rest } = init;
  return fetch(new URL(path, localStack().apiUrl), {
    ...rest,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(rest.body && typeof rest.body === 'string' ? { 'content-type': 'application/json' } : {}),
      ...(headers as Record<string, string> | undefined),
    },
  });
}

/** `POST /v1/hooks/sign-in` with `body`, signed with the stack's hook secret as of now (SPEC §5). */
export async function hookSignIn(body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const t = Math.floor(Date.now() / 1000);
  const res = await api('/v1/hooks/sign-in', {
    method: 'POST',
    body: raw,
    headers: { 'provisio-signature': signHookBody(localStack().hookSecret, raw, t) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The DNS server the local stack's handlers resolve through: publish and withdraw TXT records. */
export function stackDns(): ReturnType<typeof remoteDns> {
  return remoteDns(inject('dnsControl'));
}
