/**
 * The local API on one port (SPEC §6): the admin API and sign-in hook under `/v1` as API Gateway
 * would serve them, and the AWS Lambda Invoke API for every function, so any AWS SDK Lambda
 * client — and cognito-local's triggers — call the same handlers that run in AWS.
 *
 * With `aws`, SQS's SendMessage(Batch) and EventBridge's PutEvents for the webhook workers, and
 * `GET /_local/events[?since=<seq>]`: what was put on the local event bus (SPEC §11).
 *
 * Also `GET /_local/invocations[?function=<name>&since=<seq>]`: the invocations this process
 * served, newest last, so a developer or a test can see what cognito-local's triggers did
 * (cognito-local ignores PostAuthentication errors, so this is where a denial shows).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FunctionId, functionSpecs, httpRoutes } from '../functions/registry.ts';
import {
  CONSOLE_PATH,
  type ConsoleSiteOptions,
  createConsoleSite,
} from '../shared/console/static-site.ts';
import { UnauthorizedError, UnavailableError } from '../shared/errors.ts';
import { problemResponse, toProblem } from '../shared/http/problem.ts';
import type { LocalAwsServices } from './aws-services.ts';
import {
  fromHttpApiResult,
  type HttpResponse,
  internalServerError,
  type JwtAuthorizerContext,
  toHttpApiEvent,
} from './http-api.ts';
import type { JwtAuthorizer } from './jwt-authorizer.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './options.ts';

/** Lambda's limit for a synchronous invocation's request payload. */
const MAX_INVOKE_PAYLOAD = 6 * 1024 * 1024;
/** API Gateway's limit for an HTTP API request body. */
const MAX_API_BODY = 10 * 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** A running API server. */
export interface ApiServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Options of `startApiServer`. */
export interface ApiServerOptions {
  readonly port: number;
  readonly runtime: LambdaRuntime;
  readonly authorizer: JwtAuthorizer;
  /** Which local function serves each function of `httpRoutes`. @default each spec's `localName` */
  readonly functionNames?: Readonly<Partial<Record<FunctionId, string>>>;
  /** One line per request, when given. */
  readonly log?: (line: string) => void;
  /** Serve the built admin console and its `config.json` under `/console/`, when given. */
  readonly console?: ConsoleSiteOptions;
  /** SQS and EventBridge for the webhook workers (SPEC §11), by `X-Amz-Target`, when given. */
  readonly aws?: LocalAwsServices;
}

interface MatchedRoute {
  routeKey: string;
  functionId: FunctionId;
  pathParameters?: Record<string, string>;
  auth: boolean;
}

/** API Gateway's request id looks like `JKJaXmPLvHcESHA=`. */
const apiGatewayRequestId = () => randomBytes(10).toString('base64');

const PROXY = '/{proxy+}';

/** The HTTP API route a request matches (`httpRoutes`); API Gateway prefers exact routes to the proxy. */
export function matchRoute(method: string, rawPath: string): MatchedRoute | undefined {
  const exact = httpRoutes.find(
    (r) =>
      !r.path.endsWith(PROXY) && r.path === rawPath && (r.method === method || r.method === 'ANY'),
  );
  if (exact)
    return {
      routeKey: `${exact.method} ${exact.path}`,
      functionId: exact.function,
      auth: exact.auth === 'jwt',
    };
  for (const r of httpRoutes) {
    if (!r.path.endsWith(PROXY) || (r.method !== 'ANY' && r.method !== method)) continue;
    const prefix = `${r.path.slice(0, -PROXY.length)}/`;
    // `{proxy+}` needs at least one character after the prefix.
    if (!rawPath.startsWith(prefix) || rawPath.length <= prefix.length) continue;
    const raw = rawPath.slice(prefix.length);
    let proxy: string;
    try {
      proxy = decodeURIComponent(raw);
    } catch {
      proxy = raw;
    }
    return {
      routeKey: `${r.method} ${r.path}`,
      functionId: r.function,
      pathParameters: { proxy },
      auth: r.auth === 'jwt',
    };
  }
  return undefined;
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: HttpResponse): void {
  response.writeHead(reply.statusCode, {
    ...reply.headers,
    'content-length': String(reply.body.length),
  });
  response.end(reply.body);
}

function jsonReply(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** An AWS service error as the Lambda API sends it (the SDK reads `x-amzn-errortype`). */
function lambdaError(statusCode: number, type: string, message: string, requestId: string) {
  return jsonReply(
    statusCode,
    { Type: 'User', message },
    { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId },
  );
}

/** `my-fn`, `my-fn:qualifier`, `123:function:my-fn` or a full ARN → `my-fn`. */
export function functionNameOf(identifier: string): string {
  const afterFunction = identifier.includes(':function:')
    ? identifier.slice(identifier.indexOf(':function:') + ':function:'.length)
    : identifier;
  return afterFunction.split(':')[0]!;
}

function decodeClientContext(header: string | undefined) {
  if (!header) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Starts the API server on `localhost:port`. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { runtime } = options;
  const consoleSite = options.console ? createConsoleSite(options.console) : undefined;

  async function invoke(request: IncomingMessage, encodedName: string): Promise<HttpResponse> {
    const requestId = randomUUID();
    const functionName = functionNameOf(decodeURIComponent(encodedName));
    if (!runtime.has(functionName)) {
      return lambdaError(
        404,
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
        requestId,
      );
    }
    let body: Buffer;
    try {
      body = await readBody(request, MAX_INVOKE_PAYLOAD);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return lambdaError(
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_INVOKE_PAYLOAD} bytes for the InvokeFunction operation`,
        requestId,
      );
    }
    let event: unknown;
    try {
      // Lambda passes `{}` to a function invoked without a payload.
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      return lambdaError(
        400,
        'InvalidRequestContentException',
        `Could not parse request body into json: ${(error as Error).message}`,
        requestId,
      );
    }
    const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const clientContext = decodeClientContext(
      request.headers['x-amz-client-context'] as string | undefined,
    );
    const invokeOptions = { requestId, ...(clientContext ? { clientContext } : {}) };
    if (invocationType === 'DryRun') {
      return { statusCode: 204, headers: { 'x-amzn-requestid': requestId }, body: Buffer.alloc(0) };
    }
    if (invocationType === 'Event') {
      void runtime.invoke(functionName, event, invokeOptions);
      return { statusCode: 202, headers: { 'x-amzn-requestid': requestId }, body: Buffer.alloc(0) };
    }
    const started = Date.now();
    const outcome = await runtime.invoke(functionName, event, invokeOptions);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': '$LATEST',
    };
    if (outcome.functionError) headers['x-amz-function-error'] = outcome.functionError;
    if (request.headers['x-amz-log-type'] === 'Tail') {
      const log = `START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${Date.now() - started} ms\n`;
      headers['x-amz-log-result'] = Buffer.from(log).toString('base64');
    }
    return { statusCode: 200, headers, body: Buffer.from(outcome.payload) };
  }

  async function gateway(request: IncomingMessage, url: URL): Promise<HttpResponse> {
    const requestId = apiGatewayRequestId();
    const method = request.method ?? 'GET';
    let body: Buffer;
    try {
      body = await readBody(request, MAX_API_BODY);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return jsonReply(413, { message: 'Request Entity Too Large' });
    }
    const route = matchRoute(method, url.pathname);
    // No route: API Gateway answers itself, without calling any function.
    if (!route) return jsonReply(404, { message: 'Not Found' });
    let authorizer: JwtAuthorizerContext | undefined;
    if (route.auth) {
      try {
        authorizer = await options.authorizer.authorize(request.headers.authorization);
      } catch (error) {
        if (error instanceof UnauthorizedError) {
          const reply = problemResponse(toProblem(error));
          return {
            statusCode: reply.statusCode ?? 401,
            headers: {
              ...(reply.headers as Record<string, string>),
              'www-authenticate': request.headers.authorization
                ? 'Bearer error="invalid_token"'
                : 'Bearer',
            },
            body: Buffer.from(String(reply.body)),
          };
        }
        options.log?.(`JWT authorizer failed: ${(error as Error).message}`);
        const reply = problemResponse(
          toProblem(new UnavailableError('The token could not be checked', { cause: error })),
        );
        return {
          statusCode: reply.statusCode ?? 503,
          headers: reply.headers as Record<string, string>,
          body: Buffer.from(String(reply.body)),
        };
      }
    }
    const event = toHttpApiEvent(
      {
        method,
        url: request.url ?? '/',
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${request.httpVersion}`,
      },
      { ...route, authorizer, requestId },
    );
    const functionName =
      options.functionNames?.[route.functionId] ?? functionSpecs[route.functionId].localName;
    const outcome = await runtime.invoke(functionName, event);
    if (outcome.functionError) return internalServerError();
    try {
      return fromHttpApiResult(JSON.parse(outcome.payload));
    } catch {
      return internalServerError();
    }
  }

  async function route(request: IncomingMessage): Promise<HttpResponse> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const invokeMatch = INVOKE_PATH.exec(url.pathname);
    if (invokeMatch && request.method === 'POST') return invoke(request, invokeMatch[1]!);
    const target = request.headers['x-amz-target'];
    if (options.aws && request.method === 'POST' && typeof target === 'string') {
      const answer = options.aws.handle(target, await readBody(request, MAX_API_BODY));
      return answer ?? jsonReply(400, { __type: 'UnknownOperationException', message: target });
    }
    if (options.aws && url.pathname === '/_local/events' && request.method === 'GET') {
      request.resume();
      return jsonReply(200, {
        items: options.aws.events(Number(url.searchParams.get('since')) || 0),
      });
    }
    if (matchRoute(request.method ?? 'GET', url.pathname)) return gateway(request, url);
    if (
      consoleSite &&
      (url.pathname === CONSOLE_PATH || url.pathname.startsWith(`${CONSOLE_PATH}/`))
    ) {
      request.resume();
      return consoleSite(request.method ?? 'GET', url.pathname);
    }
    if (url.pathname === '/_local/invocations' && request.method === 'GET') {
      const since = url.searchParams.get('since');
      const fn = url.searchParams.get('function');
      return jsonReply(200, {
        items: runtime.invocations({
          ...(fn ? { functionName: fn } : {}),
          ...(since ? { since: Number(since) } : {}),
        }),
      });
    }
    request.resume();
    return jsonReply(404, { message: 'Not Found' });
  }

  const server = createServer((request, response) => {
    const started = Date.now();
    route(request)
      .catch((error: unknown) => {
        options.log?.(
          `${request.method} ${request.url} failed: ${(error as Error)?.stack ?? error}`,
        );
        return internalServerError();
      })
      .then((reply) => {
        send(response, reply);
        options.log?.(
          `${request.method} ${request.url} ${reply.statusCode} ${Date.now() - started}ms`,
        );
      });
  });
  // Let in-flight keep-alive sockets from SDK clients not hold up `stop()`.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, 'localhost', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
