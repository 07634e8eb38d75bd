/**
 * A harness for admin API tests: a client that calls the API as a given person. Two backends
 * share one interface:
 *
 * - `inProcessApi`: the admin handler called in this process with an API Gateway (payload 2.0)
 *   event whose authorizer claims carry the caller's email, over the stack's DynamoDB Local and
 *   any DNS servers (the tests' loopback one);
 * - `adminStackEnv` (`admin-http.ts`): the local stack's HTTP API with real cognito-local tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { expect } from 'vitest';
import { createIdentityProviderRegistry } from '../../shared/adapters/cognito/registry.ts';
import { createAddressLookup } from '../../shared/adapters/dns/addresses.ts';
import { createTxtLookup } from '../../shared/adapters/dns/txt.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createWebhookAdminStore } from '../../shared/adapters/dynamodb/webhook-store.ts';
import { openApiDocument } from '../../shared/admin/http/openapi.ts';
import { routeRequest } from '../../shared/admin/http/routes.ts';
import { problemErrors } from '../../shared/http/problem.ts';
import type { AdminDeps } from '../../shared/model/writes.ts';
import { newWebhookSecret } from '../../shared/webhooks/signature.ts';

/** One answer of the API. */
export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field in tests
  body: any;
}

export interface CallOptions {
  /** The caller's email; omitted means no token at all. */
  as?: string;
  body?: unknown;
  /** A body sent verbatim (for malformed JSON). */
  rawBody?: string;
  query?: Record<string, string>;
  /** Request headers besides the token (e.g. `content-type: text/csv`, `idempotency-key`). */
  headers?: Record<string, string>;
}

/** An answer's body: JSON parsed, any other type (a CSV download) as its text. */
export const answerBody = (text: string | undefined, contentType: string | undefined): unknown =>
  !text ? undefined : /json/.test(contentType ?? 'application/json') ? JSON.parse(text) : text;

/** Calls the admin API. */
export interface AdminApi {
  call(method: string, path: string, options?: CallOptions): Promise<ApiAnswer>;
}

/** A document client for DynamoDB Local with the static local credentials. */
export function localDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      // DynamoDB Local accepts only letters and digits in access key ids.
      credentials: { accessKeyId: 'AKIAPROVISIOTEST', secretAccessKey: 'local' },
      maxAttempts: 3,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

const context = { awsRequestId: 'test', functionName: 'provisio-admin' } as Context;

/** The admin handler in this process, over the given dependencies. */
export function inProcessApi(deps: AdminDeps): AdminApi {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    (event: APIGatewayProxyEventV2) => routeRequest(event, deps, openApiDocument),
  ).use(problemErrors());
  return {
    async call(method, path, options = {}) {
      const [rawPath, rawQuery] = path.split('?');
      const query = {
        ...Object.fromEntries(new URLSearchParams(rawQuery ?? '')),
        ...options.query,
      };
      const body =
        options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: rawPath!,
        rawQueryString: new URLSearchParams(query).toString(),
        headers: {
          'content-type': 'application/json',
          ...Object.fromEntries(
            Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
          ),
        },
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        requestContext: {
          http: {
            method,
            path: rawPath!,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'test',
          },
          ...(options.as
            ? {
                authorizer: {
                  jwt: { claims: { email: options.as, email_verified: 'true' }, scopes: null },
                },
              }
            : {}),
        },
        ...(body !== undefined ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
      } as unknown as APIGatewayProxyEventV2;
      const out = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
      const headers = (out.headers ?? {}) as Record<string, string>;
      return {
        status: out.statusCode ?? 200,
        headers,
        body: answerBody(out.body, headers['content-type']),
      };
    },
  };
}

/**
 * Production-like dependencies over a table and DNS resolvers. Identity providers go to a
 * registry of this test process's own (the stack's handlers keep theirs in the stack's data
 * directory; two processes never write one file).
 */
export function adminDeps(
  db: DynamoDBDocumentClient,
  tableName: string,
  dnsServers: string[],
  over: Partial<AdminDeps> = {},
): AdminDeps {
  return {
    store: createAdminStore(db, tableName),
    lookupTxt: createTxtLookup(dnsServers, { timeoutMs: 1000, tries: 1 }),
    now: () => new Date(),
    newId: () => randomUUID(),
    newToken: () => randomBytes(16).toString('hex'),
    identityProviders: createIdentityProviderRegistry({
      file: join(tmpdir(), `provisio-test-idps-${process.pid}.json`),
      clientIds: ['test-client'],
    }),
    boundProviders: new Map(),
    serviceProvider: { domainUrl: 'https://auth.example.test', userPoolId: 'local_pool' },
    webhooks: {
      store: createWebhookAdminStore(db, tableName),
      resolve: createAddressLookup(dnsServers, { timeoutMs: 1000, tries: 1 }),
      policy: { allowLoopback: true },
      newSecret: newWebhookSecret,
    },
    ...over,
  };
}

/** A unique org or team slug. */
export const uniqueSlug = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;

/** Asserts a problem document (RFC 9457) with this status and, for 400s, the field it names. */
export function expectProblem(answer: ApiAnswer, status: number, field?: string): void {
  const context = `${answer.status} ${JSON.stringify(answer.body)}`;
  expect(answer.status, context).toBe(status);
  if (status === 401) return; // the JWT authorizer may answer before the function runs
  expect(String(answer.headers['content-type']), context).toMatch(/^application\/problem\+json/);
  expect(answer.body, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  if (field !== undefined) expect(answer.body.field, context).toBe(field);
}
