/**
 * SCIM errors (RFC 7644 §3.12). SCIM clients expect their own error document rather than the
 * RFC 9457 problem documents of the rest of the API, so the SCIM core throws only `ScimError`
 * and the SCIM handler renders it with `scimErrorBody`.
 */

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

/** An error a SCIM client may see: its HTTP `status`, optional `scimType` and a human `detail`. */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType?: string;
  readonly detail: string;

  constructor(
    status: number,
    detail: string,
    scimType?: string,
    options: { cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'ScimError';
    this.status = status;
    this.detail = detail;
    if (scimType !== undefined) this.scimType = scimType;
  }
}

/** The JSON body of a SCIM error response. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
}

/** Renders a `ScimError` as RFC 7644 §3.12 says (`status` is a string there). */
export function scimErrorBody(e: ScimError): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(e.status),
    ...(e.scimType === undefined ? {} : { scimType: e.scimType }),
    detail: e.detail,
  };
}

/** A 400 with a `scimType`. */
export function badRequest(scimType: ScimType, detail: string): ScimError {
  return new ScimError(400, detail, scimType);
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
export const scimNotFound = (detail = 'Resource not found') => new ScimError(404, detail);

/** 409 `uniqueness`: a `userName`, `externalId` or group `displayName` already taken. */
export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');

/** 401: missing, wrong or revoked bearer token. */
export const scimUnauthorized = (detail = 'Missing or invalid bearer token') =>
  new ScimError(401, detail);
