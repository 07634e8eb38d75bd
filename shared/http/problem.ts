/**
 * RFC 9457 problem documents, and the one middy middleware (placed last) that turns any error
 * into one. Unknown errors become a bare 500 and are logged with the request id.
 */
import type { MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { AppError } from '../errors.ts';
import { log } from '../observability.ts';

export const PROBLEM_TYPE_BASE = 'https://provisio.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** The problem document for an error; 5xx details are never exposed. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError && error.expose) {
    const title =
      'title' in error && typeof error.title === 'string'
        ? error.title
        : (TITLES[error.statusCode] ?? 'Error');
    return {
      type: `${PROBLEM_TYPE_BASE}${error.code}`,
      title,
      status: error.statusCode,
      detail: error.message,
      ...error.extra,
    };
  }
  const status = error instanceof AppError ? error.statusCode : 500;
  return {
    type: `${PROBLEM_TYPE_BASE}${error instanceof AppError ? error.code : 'internal'}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail:
      status === 503
        ? 'A dependency is temporarily unavailable; try again shortly.'
        : 'An internal error occurred.',
  };
}

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
}

/**
 * Logs an error the caller is told nothing about (any 5xx) with the request id, so the bare
 * answer can be traced. Both renderers (this one and the SCIM one) call it.
 */
export function logFailure(error: unknown, requestId: string | undefined): void {
  log.error('request failed', {
    ...(requestId === undefined ? {} : { requestId }),
    error: describeError(error),
  });
}

/**
 * An error for a log line, with its causes (a 503's UnavailableError says only that a
 * dependency failed; its cause says which call and why: a timeout, a refused connection, ...).
 */
export function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(depth === 0 ? { stack: error.stack } : {}),
    ...(error.cause !== undefined && depth < 3
      ? { cause: describeError(error.cause, depth + 1) }
      : {}),
  };
}

/** Middy middleware: every error becomes a problem response. Place it last in `.use()`. */
export function problemErrors(): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  Context
> {
  return {
    onError: async (request) => {
      const problem = toProblem(request.error);
      if (problem.status >= 500) logFailure(request.error, request.context.awsRequestId);
      const response = problemResponse(problem);
      if (request.error instanceof AppError && request.error.expose) {
        response.headers = { ...response.headers, ...request.error.headers };
      }
      request.response = response;
    },
  };
}

/** A JSON response. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
