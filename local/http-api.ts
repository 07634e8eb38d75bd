/**
 * What API Gateway (HTTP API, payload format 2.0) does around a Lambda integration: turn an HTTP
 * request into the event and the function's result back into an HTTP response.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './options.ts';

/** The JWT authorizer's part of the request context. */
export interface JwtAuthorizerContext {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

/** The parts of an incoming request the event is built from. */
export interface HttpRequestInfo {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly url: string;
  /** Node's `rawHeaders`: names and values alternating, as received. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

/** An HTTP response to write. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

// API Gateway passes these as text; everything else is base64-encoded.
const TEXT_TYPES =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded))/i;

function apiGatewayTime(date: Date): string {
  // e.g. 12/Mar/2020:19:03:58 +0000
  const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Headers lower-cased, repeated ones joined with commas, as API Gateway does. */
export function lowerCaseHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

/** The payload 2.0 event for a request. */
export function toHttpApiEvent(
  request: HttpRequestInfo,
  route: {
    routeKey: string;
    pathParameters?: Record<string, string> | undefined;
    authorizer?: JwtAuthorizerContext | undefined;
    requestId: string;
    now?: Date;
  },
): APIGatewayProxyEventV2 & { requestContext: { authorizer?: JwtAuthorizerContext } } {
  const now = route.now ?? new Date();
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const headers = lowerCaseHeaders(request.rawHeaders);
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;

  let queryStringParameters: Record<string, string> | undefined;
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters ??= {};
    queryStringParameters[name] =
      queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }

  const hasBody = request.body.length > 0;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  const host = headers.host ?? 'localhost';
  // As API Gateway adds it (the local server speaks plain HTTP).
  headers['x-forwarded-proto'] ??= 'http';

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      ...(route.authorizer ? { authorizer: route.authorizer } : {}),
      domainName: host,
      domainPrefix: host.split('.')[0]!.split(':')[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: route.requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: request.body.toString(isText ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !isText,
  };
}

/**
 * The HTTP response for a function's result. A result with a `statusCode` is taken as a
 * structured response; any other valid JSON is a 200 `application/json` body (a string as is),
 * per "Lambda function response for format 2.0".
 */
export function fromHttpApiResult(result: unknown): HttpResponse {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    const statusCode = Number(r.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      return internalServerError();
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(r.headers ?? {})) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
    if (Array.isArray(r.cookies) && r.cookies.length > 0)
      headers['set-cookie'] = r.cookies.map(String);
    const body = typeof r.body === 'string' ? r.body : '';
    return {
      statusCode,
      headers,
      body: Buffer.from(body, r.isBase64Encoded === true ? 'base64' : 'utf8'),
    };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result)),
  };
}

/** What API Gateway answers when the integration fails (a function error, a bad response). */
export function internalServerError(): HttpResponse {
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message: 'Internal Server Error' })),
  };
}
