/**
 * The local stack of SPEC §6 as the integration globalSetup started it: local.json, the table,
 * the user pool, the API with its JWT authorizer, the Lambda Invoke API, and cognito-local's
 * triggers reaching the sign-in function.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { createTableInput } from '../../shared/table/schema.ts';
import {
  api,
  cognitoClient,
  dynamoDbClient,
  invocations,
  lambdaClient,
  lastInvocationSeq,
  localStack,
  signedInUser,
  signIn,
  signUp,
} from '../support/local-stack.ts';

const require = createRequire(import.meta.url);
const ddbSdk = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
const cognitoSdk =
  require('@aws-sdk/client-cognito-identity-provider') as typeof import('@aws-sdk/client-cognito-identity-provider');
const lambdaSdk = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');

const dynamodb = dynamoDbClient();
const cognito = cognitoClient();
const lambda = lambdaClient();
afterAll(() => {
  dynamodb.destroy();
  cognito.destroy();
  lambda.destroy();
});

const decoder = new TextDecoder();

describe('local.json', () => {
  it('is written to the data directory with every endpoint, the pool and the hook secret', async () => {
    const written = JSON.parse(await readFile(join(inject('localStackDir'), 'local.json'), 'utf8'));
    const config = localStack();
    expect(written).toEqual(config);
    expect(config).toEqual({
      apiUrl: expect.stringMatching(/^http:\/\/localhost:\d+$/),
      lambdaEndpoint: config.apiUrl,
      dynamodb: {
        endpoint: expect.stringMatching(/^http:\/\/localhost:\d+$/),
        tableName: 'provisio',
      },
      ses: { endpoint: expect.stringMatching(/^http:\/\/localhost:\d+$/) },
      cognito: {
        endpoint: expect.stringMatching(/^http:\/\/localhost:\d+$/),
        userPoolId: expect.stringMatching(/^\w+_\w+$/),
        clientId: expect.any(String),
      },
      hookSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe('DynamoDB Local', () => {
  it('has the table exactly as createTableInput defines it: keys, index, stream, TTL', async () => {
    const { tableName } = localStack().dynamodb;
    const expected = createTableInput(tableName);
    const { Table: table } = await dynamodb.send(
      new ddbSdk.DescribeTableCommand({ TableName: tableName }),
    );
    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.KeySchema).toEqual(expected.KeySchema);
    expect(table?.AttributeDefinitions).toEqual(
      expect.arrayContaining(expected.AttributeDefinitions ?? []),
    );
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      table?.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      })),
    ).toEqual(expected.GlobalSecondaryIndexes);
    expect(table?.StreamSpecification).toEqual(expected.StreamSpecification);
    expect(table?.LatestStreamArn).toBeTruthy();
    const ttl = await dynamodb.send(new ddbSdk.DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'ttl',
      TimeToLiveStatus: 'ENABLED',
    });
  });
});

describe('cognito-local', () => {
  it('has a pool with email as username and a client allowing USER_PASSWORD_AUTH', async () => {
    const { userPoolId, clientId } = localStack().cognito;
    const { UserPool: pool } = await cognito.send(
      new cognitoSdk.DescribeUserPoolCommand({ UserPoolId: userPoolId }),
    );
    expect(pool?.UsernameAttributes).toEqual(['email']);
    expect(pool?.AutoVerifiedAttributes).toEqual(['email']);
    const { UserPoolClient: client } = await cognito.send(
      new cognitoSdk.DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
    );
    expect(client?.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    );
  });

  it('runs the PostAuthentication trigger through the Invoke API on a password sign-in', async () => {
    const since = await lastInvocationSeq();
    const user = await signedInUser();
    const calls = await invocations({ functionName: functionSpecs.signIn.localName, since });
    const call = calls.find(
      (c) =>
        (c.event as { triggerSource?: string }).triggerSource ===
          'PostAuthentication_Authentication' &&
        (c.event as { request?: { userAttributes?: { email?: string } } }).request?.userAttributes
          ?.email === user.email,
    );
    expect(call, JSON.stringify(calls, null, 2)).toBeDefined();
    expect(call?.event).toMatchObject({ userPoolId: localStack().cognito.userPoolId });
  });

  it('runs the PostConfirmation trigger through the Invoke API on a confirmed sign-up', async () => {
    const since = await lastInvocationSeq();
    const user = await signUp();
    const calls = await invocations({ functionName: functionSpecs.signIn.localName, since });
    expect(
      calls.some(
        (c) =>
          (c.event as { triggerSource?: string }).triggerSource ===
            'PostConfirmation_ConfirmSignUp' &&
          (c.event as { request?: { userAttributes?: { email?: string } } }).request?.userAttributes
            ?.email === user.email,
      ),
      JSON.stringify(calls, null, 2),
    ).toBe(true);
    // And the confirmed user can sign in.
    await expect(signIn(user)).resolves.toHaveProperty('idToken');
  });
});

describe('the API', () => {
  it('serves GET /v1/openapi.json without a token', async () => {
    const response = await api('/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('openapi', expect.stringMatching(/^3\.1/));
  });

  it('answers 401 with a problem document when a /v1 route has no token', async () => {
    const response = await api('/v1/orgs');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.json()).toMatchObject({
      type: expect.any(String),
      title: 'Unauthorized',
      status: 401,
      detail: expect.any(String),
    });
  });

  it('answers 401 for a token the pool did not sign', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const { cognito } = localStack();
    const forged = await new SignJWT({ email: 'mallory@example.com', token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal', jwk: await exportJWK(publicKey) })
      .setIssuer(`${cognito.endpoint}/${cognito.userPoolId}`)
      .setAudience(cognito.clientId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const response = await api('/v1/orgs', { token: forged });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lets an ID token through to the admin function with its claims', async () => {
    const user = await signedInUser();
    const since = await lastInvocationSeq();
    const response = await api('/v1/orgs?limit=5', { token: user.idToken });
    expect(response.status).not.toBe(401);
    expect(response.headers.get('content-type')).toMatch(/json/);
    // Other files call the admin function meanwhile: this test's call is the one with its token.
    const call = (await invocations({ functionName: functionSpecs.admin.localName, since })).find(
      (c) =>
        (c.event as { headers?: Record<string, string> }).headers?.authorization ===
        `Bearer ${user.idToken}`,
    );
    expect(call?.event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /v1/{proxy+}',
      rawPath: '/v1/orgs',
      rawQueryString: 'limit=5',
      queryStringParameters: { limit: '5' },
      pathParameters: { proxy: 'orgs' },
      headers: { authorization: `Bearer ${user.idToken}` },
      requestContext: {
        http: { method: 'GET', path: '/v1/orgs' },
        authorizer: {
          jwt: { claims: { email: user.email, token_use: 'id', email_verified: 'true' } },
        },
      },
      isBase64Encoded: false,
    });
  });

  it('lets an access token through too, as API Gateway does (it carries no email)', async () => {
    const user = await signedInUser();
    const since = await lastInvocationSeq();
    const response = await api('/v1/orgs', { token: user.accessToken });
    expect(response.status).not.toBe(401);
    const call = (await invocations({ functionName: functionSpecs.admin.localName, since })).find(
      (c) =>
        (c.event as { headers?: Record<string, string> }).headers?.authorization ===
        `Bearer ${user.accessToken}`,
    );
    const { claims, scopes } = (
      call!.event as {
        requestContext: { authorizer: { jwt: { claims: object; scopes: unknown } } };
      }
    ).requestContext.authorizer.jwt;
    expect(claims).toMatchObject({ token_use: 'access', client_id: localStack().cognito.clientId });
    expect(claims).not.toHaveProperty('email');
    expect(scopes).toEqual(['aws.cognito.signin.user.admin']);
  });

  it('routes POST /v1/hooks/sign-in to the hook function without a token', async () => {
    const since = await lastInvocationSeq();
    // A body of this test's own: other files call the hook meanwhile.
    const body = JSON.stringify({ probe: crypto.randomUUID() });
    const response = await api('/v1/hooks/sign-in', { method: 'POST', body });
    // The hook checks its own signature; what matters here is that the function answered.
    expect(response.status).toBeLessThan(500);
    const calls = (
      await invocations({ functionName: functionSpecs.signInHook.localName, since })
    ).filter((c) => (c.event as { body?: string }).body === body);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.event).toMatchObject({ routeKey: 'POST /v1/hooks/sign-in', body });
  });
});

describe('the Lambda Invoke API', () => {
  it('invokes provisio-sign-in for an AWS SDK client; a forgot-password confirmation comes back unchanged', async () => {
    const event = {
      version: '1',
      region: 'us-east-1',
      userPoolId: localStack().cognito.userPoolId,
      userName: 'someone@example.com',
      callerContext: { awsSdkVersion: 'test', clientId: localStack().cognito.clientId },
      triggerSource: 'PostConfirmation_ConfirmForgotPassword',
      request: { userAttributes: { email: 'someone@example.com', email_verified: 'true' } },
      response: {},
    };
    const result = await lambda.send(
      new lambdaSdk.InvokeCommand({
        FunctionName: functionSpecs.signIn.localName,
        Payload: JSON.stringify(event),
      }),
    );
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    expect(result.ExecutedVersion).toBe('$LATEST');
    expect(JSON.parse(decoder.decode(result.Payload))).toEqual(event);
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    await expect(
      lambda.send(new lambdaSdk.InvokeCommand({ FunctionName: 'provisio-nope', Payload: '{}' })),
    ).rejects.toBeInstanceOf(lambdaSdk.ResourceNotFoundException);
  });

  it('serves every registered function', async () => {
    for (const spec of Object.values(functionSpecs)) {
      const result = await lambda.send(
        new lambdaSdk.InvokeCommand({ FunctionName: spec.localName, InvocationType: 'DryRun' }),
      );
      expect(result.StatusCode, spec.localName).toBe(204);
    }
  });
});
