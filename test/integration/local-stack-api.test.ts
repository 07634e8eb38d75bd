/**
 * The local API server and Lambda runtime on their own, with fixture handlers
 * (test/support/fixtures/): the Invoke API as an AWS SDK client sees it — function errors,
 * timeouts, invocation types — and API Gateway's payload 2.0 mapping both ways.
 */
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../local/api-server.ts';
import type { JwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { createLambdaRuntime, type LambdaRuntime } from '../../local/lambda-runtime.ts';
import { freePorts } from '../../local/processes.ts';
import { localClientConfig } from '../../local/sdk.ts';
import { UnauthorizedError } from '../../shared/errors.ts';

const require = createRequire(import.meta.url);
const lambdaSdk = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');

const fixtures = fileURLToPath(new URL('../support/fixtures/', import.meta.url));
const fixture = (name: string) => ({
  localName: `fixture-${name}`,
  entry: join(fixtures, `${name}.ts`),
});

/** Accepts exactly `Bearer good`, like a JWT authorizer with one valid token. */
const authorizer: JwtAuthorizer = {
  async authorize(header) {
    if (header !== 'Bearer good') throw new UnauthorizedError('Invalid token');
    return { jwt: { claims: { email: 'owner@example.com', token_use: 'id' }, scopes: null } };
  },
};

let server: ApiServer;
let runtime: LambdaRuntime;
let lambda: InstanceType<typeof lambdaSdk.LambdaClient>;
let logDir: string;
const decoder = new TextDecoder();

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'provisio-runtime-'));
  const [port] = await freePorts(1);
  const functionLog = join(logDir, 'functions.log');
  runtime = createLambdaRuntime({
    functions: ['throws', 'echo-context', 'callback', 'slow', 'noisy', 'broken-import', 'http'].map(
      fixture,
    ),
    root: fixtures,
    region: 'us-east-1',
    accountId: '000000000000',
    timeoutMs: 300,
    output: (chunk) => appendFileSync(functionLog, chunk),
  });
  server = await startApiServer({
    port: port!,
    runtime,
    authorizer,
    functionNames: { admin: 'fixture-http', signInHook: 'fixture-echo-context' },
  });
  lambda = new lambdaSdk.LambdaClient(localClientConfig(server.url));
});

afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
  await rm(logDir, { recursive: true, force: true });
});

async function invoke(functionName: string, payload?: unknown, extra: object = {}) {
  const result = await lambda.send(
    new lambdaSdk.InvokeCommand({
      FunctionName: functionName,
      ...(payload === undefined ? {} : { Payload: JSON.stringify(payload) }),
      ...extra,
    }),
  );
  const text = decoder.decode(result.Payload ?? new Uint8Array());
  return { result, payload: text ? JSON.parse(text) : undefined };
}

describe('the Invoke API', () => {
  it('returns a thrown error as AWS does: 200, FunctionError Unhandled, {errorType, errorMessage}', async () => {
    const { result, payload } = await invoke('fixture-throws', { any: 'thing' });
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(payload).toEqual({
      errorType: 'NoSeatsError',
      errorMessage: 'No seats available in acme',
      trace: expect.arrayContaining([expect.stringContaining('No seats available in acme')]),
    });
  });

  it('sends the X-Amz-Function-Error header on the wire', async () => {
    const response = await fetch(`${server.url}/2015-03-31/functions/fixture-throws/invocations`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await response.json()).toMatchObject({ errorType: 'NoSeatsError' });
  });

  it('gives the handler a Lambda context with the request id the caller sees', async () => {
    const { result, payload } = await invoke('fixture-echo-context', { hello: 'world' });
    expect(payload).toMatchObject({
      event: { hello: 'world' },
      awsRequestId: result.$metadata.requestId,
      functionName: 'fixture-echo-context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-echo-context',
      memoryLimitInMB: expect.stringMatching(/^\d+$/),
      logGroupName: '/aws/lambda/fixture-echo-context',
      clientContext: null,
    });
    expect(payload.remainingMs).toBeGreaterThan(0);
    expect(payload.remainingMs).toBeLessThanOrEqual(300);
  });

  it('passes {} when invoked without a payload, and decodes the client context', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString('base64');
    const { payload } = await invoke('fixture-echo-context', undefined, {
      ClientContext: clientContext,
    });
    expect(payload).toMatchObject({ event: {}, clientContext: { custom: { a: 1 } } });
  });

  it('accepts a function ARN and a qualifier', async () => {
    const { payload } = await invoke(
      'arn:aws:lambda:us-east-1:000000000000:function:fixture-echo-context:$LATEST',
      { x: 1 },
    );
    expect(payload).toMatchObject({ event: { x: 1 }, functionName: 'fixture-echo-context' });
  });

  it('supports callback-style handlers, results and errors', async () => {
    expect((await invoke('fixture-callback', {})).payload).toEqual({ via: 'callback' });
    const failed = await invoke('fixture-callback', { fail: true });
    expect(failed.result.FunctionError).toBe('Unhandled');
    expect(failed.payload).toMatchObject({ errorType: 'Error', errorMessage: 'callback failure' });
  });

  it('times out like Lambda: an Unhandled Sandbox.Timedout error', async () => {
    const { result, payload } = await invoke('fixture-slow', {});
    expect(result.FunctionError).toBe('Unhandled');
    expect(payload).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 0.30 seconds',
    });
  });

  it('reports a handler that fails at cold start as Runtime.ImportModuleError', async () => {
    const { result, payload } = await invoke('fixture-broken-import', {});
    expect(result.FunctionError).toBe('Unhandled');
    expect(payload).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining('PROVISIO_FIXTURE_NEVER_SET'),
    });
  });

  it('answers 202 to an Event invocation and 204 to a DryRun', async () => {
    const event = await lambda.send(
      new lambdaSdk.InvokeCommand({
        FunctionName: 'fixture-echo-context',
        InvocationType: 'Event',
      }),
    );
    expect(event.StatusCode).toBe(202);
    const dryRun = await lambda.send(
      new lambdaSdk.InvokeCommand({
        FunctionName: 'fixture-echo-context',
        InvocationType: 'DryRun',
      }),
    );
    expect(dryRun.StatusCode).toBe(204);
  });

  it('rejects a payload that is not JSON with InvalidRequestContentException', async () => {
    await expect(
      lambda.send(
        new lambdaSdk.InvokeCommand({
          FunctionName: 'fixture-echo-context',
          Payload: new TextEncoder().encode('{not json'),
        }),
      ),
    ).rejects.toBeInstanceOf(lambdaSdk.InvalidRequestContentException);
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    await expect(invoke('fixture-missing', {})).rejects.toBeInstanceOf(
      lambdaSdk.ResourceNotFoundException,
    );
  });

  it('keeps handler output out of the terminal when told to, cold start included', async () => {
    expect((await invoke('fixture-noisy', {})).payload).toBe('done');
    const log = await readFile(join(logDir, 'functions.log'), 'utf8');
    expect(log).toContain('noisy cold start');
    expect(log).toContain('noisy invocation');
    expect(log).toContain('noisy stderr');
  });

  it('remembers invocations for GET /_local/invocations', async () => {
    const before = runtime.invocations().at(-1)?.seq ?? 0;
    await invoke('fixture-throws', { n: 1 });
    const response = await fetch(
      `${server.url}/_local/invocations?function=fixture-throws&since=${before}`,
    );
    const { items } = (await response.json()) as { items: { event: unknown; outcome: string }[] };
    expect(items).toEqual([
      expect.objectContaining({
        event: { n: 1 },
        outcome: 'error',
        error: expect.objectContaining({ errorType: 'NoSeatsError' }),
      }),
    ]);
  });
});

describe('the HTTP API (payload format 2.0)', () => {
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: 'Bearer good', ...(init.headers as object) },
    });

  it('builds the event API Gateway sends', async () => {
    const response = await get('/v1/orgs/o%201/members?limit=2&tag=a&tag=b', {
      method: 'POST',
      headers: { 'X-Thing': 'One', cookie: 'c1=v1; c2=v2', 'content-type': 'application/json' },
      body: '{"email":"a@b.c"}',
    });
    expect(response.status).toBe(200);
    const event = (await response.json()) as {
      headers: object;
      requestContext: { http: { sourceIp: string } };
    };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /v1/{proxy+}',
      rawPath: '/v1/orgs/o%201/members',
      rawQueryString: 'limit=2&tag=a&tag=b',
      cookies: ['c1=v1', 'c2=v2'],
      headers: { 'x-thing': 'One', authorization: 'Bearer good' },
      queryStringParameters: { limit: '2', tag: 'a,b' },
      pathParameters: { proxy: 'orgs/o 1/members' },
      requestContext: {
        accountId: '000000000000',
        stage: '$default',
        routeKey: 'ANY /v1/{proxy+}',
        http: { method: 'POST', path: '/v1/orgs/o%201/members', protocol: 'HTTP/1.1' },
        authorizer: { jwt: { claims: { email: 'owner@example.com' }, scopes: null } },
        requestId: expect.any(String),
        timeEpoch: expect.any(Number),
      },
      body: '{"email":"a@b.c"}',
      isBase64Encoded: false,
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.requestContext.http.sourceIp).toMatch(/^127\.0\.0\.1$|^::1$/);
  });

  it('base64-encodes a binary body', async () => {
    const response = await get('/v1/echo', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 1, 2, 255]),
    });
    expect(await response.json()).toMatchObject({ body: 'AAEC/w==', isBase64Encoded: true });
  });

  it('writes a structured result: status, headers, cookies, body', async () => {
    const response = await get('/v1/structured');
    expect(response.status).toBe(201);
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(await response.json()).toEqual({ created: true });
  });

  it('takes a result without statusCode as a 200 JSON body, and a string as is', async () => {
    const object = await get('/v1/plain-object');
    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toEqual({ ok: true });
    const string = await get('/v1/plain-string');
    expect(await string.text()).toBe('hello');
  });

  it('decodes a base64 result', async () => {
    const response = await get('/v1/binary');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2, 255]));
  });

  it('answers 500 {"message":"Internal Server Error"} when the function throws', async () => {
    const response = await get('/v1/throws');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('checks the token before calling the function: 401 problem+json', async () => {
    const response = await fetch(`${server.url}/v1/structured`, {
      headers: { authorization: 'Bearer bad' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('serves the anonymous routes without a token, the hook by its own function', async () => {
    const openApi = await fetch(`${server.url}/v1/openapi.json`);
    expect(openApi.status).toBe(200);
    expect(await openApi.json()).toMatchObject({ routeKey: 'GET /v1/openapi.json' });
    const hook = await fetch(`${server.url}/v1/hooks/sign-in`, { method: 'POST', body: '{}' });
    expect(await hook.json()).toMatchObject({
      functionName: 'fixture-echo-context',
      event: { routeKey: 'POST /v1/hooks/sign-in' },
    });
    // Any other method on the hook's path is the proxy route, behind the authorizer.
    expect((await fetch(`${server.url}/v1/hooks/sign-in`)).status).toBe(401);
  });

  it('answers 404 itself for paths no route matches', async () => {
    for (const path of ['/v1', '/v2/orgs', '/']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
  });
});
