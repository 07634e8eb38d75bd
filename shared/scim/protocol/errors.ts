/**
 * SCIM errors (RFC 7644 §3.12). They are the application's errors (`shared/errors.ts`), some
 * carrying a `scimType`; SCIM clients expect their own error document rather than the RFC 9457
 * problem documents of the rest of the API, so the SCIM handler renders any error with
 * `scimErrorBody`, the one SCIM renderer.
 */
import { AppError, ConflictError, NotFoundError, UnauthorizedError } from '../../errors.ts';
import { logFailure } from '../../http/problem.ts';

/** The schema URI of a SCIM error response. */
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The `scimType` values of RFC 7644 §3.12 table 9 (only meaningful with a 400, or 409 for `uniqueness`). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** The JSON body of a SCIM error response. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
}

const document = (status: number, detail: string, scimType?: string): ScimErrorBody => ({
  schemas: [SCIM_ERROR_SCHEMA],
  status: String(status),
  ...(scimType === undefined ? {} : { scimType }),
  detail,
});

/**
 * Renders any error as RFC 7644 §3.12 says (`status` is a string there): an application error
 * the caller may see with its status, message and `scimType`; a dependency's failure as a 503 to
 * retry; anything else as a bare 500. Every 5xx is logged with the request id.
 */
export function scimErrorBody(error: unknown): ScimErrorBody {
  if (error instanceof AppError && error.expose) {
    return document(error.statusCode, error.message, error.scimType);
  }
  logFailure(error, undefined);
  if (error instanceof AppError && error.statusCode === 503) {
    return document(503, 'The service is temporarily unavailable; retry');
  }
  return document(500, 'Internal error');
}

/** A 400 with a `scimType`. */
export function badRequest(scimType: ScimType, detail: string): AppError {
  return new AppError('bad-request', 400, detail, { scimType });
}

/** 400 `invalidValue`: a value of the wrong type, or a required attribute missing. */
export const invalidValue = (detail: string) => badRequest('invalidValue', detail);

/** 400 `invalidFilter`: a filter that does not parse or compares a boolean with `gt`. */
export const invalidFilter = (detail: string) => badRequest('invalidFilter', detail);

/** 400 `invalidSyntax`: a request body that is not the message it should be. */
export const invalidSyntax = (detail: string) => badRequest('invalidSyntax', detail);

/** 400 `invalidPath`: a PATCH path that names nothing in the schema. */
export const invalidPath = (detail: string) => badRequest('invalidPath', detail);

/** 400 `noTarget`: a PATCH path that selects nothing where something is needed. */
export const noTarget = (detail: string) => badRequest('noTarget', detail);

/** 400 `mutability`: an attempt to change a read-only or immutable attribute (`id`, `meta`). */
export const mutability = (detail: string) => badRequest('mutability', detail);

/** 404: no such resource (also when it exists outside the caller's connection). */
export const scimNotFound = (detail = 'Resource not found') => new NotFoundError(detail);

/** 409 `uniqueness`: a `userName`, `externalId` or group `displayName` already taken. */
export const uniqueness = (detail: string) => new ConflictError(detail, { scimType: 'uniqueness' });

/** 401: missing, wrong or revoked bearer token. */
export const scimUnauthorized = (detail = 'Missing or invalid bearer token') =>
  new UnauthorizedError(detail);
