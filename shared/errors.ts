/**
 * The application's error hierarchy. HTTP handlers turn these into RFC 9457 problem documents
 * in one middleware (`shared/http/problem.ts`); the SCIM endpoint renders the same errors as
 * SCIM error documents (`shared/scim/protocol/errors.ts`); the Cognito trigger throws only to deny a sign-in.
 */

/** What an application error may carry besides its code, status and message. */
export interface AppErrorOptions {
  cause?: unknown;
  /** Extra members for the problem document (e.g. the field that failed validation). */
  extra?: Record<string, unknown>;
  /** The `scimType` a SCIM client is told (RFC 7644 §3.12); other protocols ignore it. */
  scimType?: string;
  /** Response headers the answer carries (e.g. `Retry-After` of a 429). */
  headers?: Record<string, string>;
}

export class AppError extends Error {
  /** A stable machine-readable code, also the last segment of the problem `type`. */
  readonly code: string;
  readonly statusCode: number;
  /** Whether the message may be shown to the caller (never for 5xx). */
  readonly expose: boolean;
  /** Extra members for the problem document (e.g. the field that failed validation). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** The SCIM `scimType` of this error, when it has one. */
  readonly scimType?: string;
  /** Response headers the answer carries. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: string, statusCode: number, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = statusCode;
    this.expose = statusCode < 500;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
    if (options.scimType !== undefined) this.scimType = options.scimType;
  }
}

/** Bad input: 400, naming the field. */
export class ValidationError extends AppError {
  readonly field: string;
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super('validation', 400, `${field}: ${message}`, { ...options, extra: { field } });
    this.field = field;
  }
}

/** Missing or invalid credentials: 401. */
export class UnauthorizedError extends AppError {
  constructor(message = 'Missing or invalid credentials') {
    super('unauthorized', 401, message);
  }
}

/** Unknown, or not administered by the caller (existence is not revealed): 404. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not-found', 404, message);
  }
}

/** A state conflict: 409. Also what a failed DynamoDB condition becomes in the adapter. */
export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('conflict', 409, message, options);
  }
}

/** Too soon (SPEC §13: an invitation is resent at most once per 10 minutes): 429 with `Retry-After`. */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too-many-requests', 429, message, {
      extra: { retryAfter: retryAfterSeconds },
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** The problem `type` of each refusal of a sign-in. */
const DENIAL_CODES = {
  'Access denied': 'access-denied',
  'No seats available': 'no-seats',
  'SSO required': 'sso-required',
} as const;

/** A sign-in that policy refuses (SPEC §3.4): 403 on the HTTP hook, a thrown error in Cognito. */
export class SignInDeniedError extends AppError {
  constructor(
    readonly title: 'Access denied' | 'No seats available' | 'SSO required',
    message: string,
  ) {
    super(DENIAL_CODES[title], 403, message);
  }
}

/** A dependency (DynamoDB, SES, DNS) failed or timed out: 503. */
export class UnavailableError extends AppError {
  constructor(message = 'Temporarily unavailable', options: { cause?: unknown } = {}) {
    super('unavailable', 503, message, options);
  }
}
