/**
 * The SCIM endpoint of each connection (SPEC §10): `/scim/v2/{connectionId}/…` on the HTTP API.
 * Authenticates the connection's bearer token (its hash, compared in constant time), then
 * dispatches to the service. Resource segments match case-insensitively (clients send `users`
 * as well as `Users`); every error is a SCIM error document. `POST …/.search` is served at the
 * root and per resource type (RFC 7644 §3.4.3). Before the token is read: a body over 1 MiB is
 * 413 and a malformed percent-escape in the path 400 (SPEC §10).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, NotFoundError } from '../errors.ts';
import { bodyText } from '../http/body.ts';
import { requestOrigin } from '../http/origin.ts';
import { scimBaseUrl, scimTokenMatches } from '../sso/scim-token.ts';
import type { ScimDeps } from './model.ts';
import { invalidSyntax, scimErrorBody, scimNotFound, scimUnauthorized } from './protocol/errors.ts';
import {
  resourceTypesDocument,
  schemasDocument,
  serviceProviderConfig,
} from './protocol/schema.ts';
import type { ScimCtx } from './provisioning.ts';
import type { ScimResult } from './service.ts';
import * as service from './service.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
const PATH = /^\/scim\/v2\/([^/]+)(?:\/(.*))?$/;
/** The largest request body (SPEC §10): 1 MiB; more is 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The segment of `POST …/.search` (RFC 7644 §3.4.3). */
const SEARCH = '.search';

const respond = (r: ScimResult): APIGatewayProxyStructuredResultV2 => ({
  statusCode: r.status,
  headers: {
    'content-type': SCIM_CONTENT_TYPE,
    ...(r.location ? { location: r.location } : {}),
  },
  ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
});

/** Any error as a SCIM error response (`scimErrorBody`, the one SCIM renderer). */
export function scimErrorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const body = scimErrorBody(error);
  return respond({ status: Number(body.status), body });
}

function parseBody(raw: string): unknown {
  if (!raw.trim()) throw invalidSyntax('The request needs a JSON body');
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidSyntax('The body is not valid JSON');
  }
}

/** A path segment, percent-decoded; a malformed escape (`%E0%A4%A`) is a 400, not a 500. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidSyntax('The request path has a malformed percent-escape');
  }
}

/** A path as an error may quote it: bounded. */
const pathForError = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

/** The connection a request's bearer token opens; 401 (no data) for anything else. */
async function authenticate(
  event: APIGatewayProxyEventV2,
  deps: ScimDeps,
  connectionId: string,
): Promise<ScimCtx> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw scimUnauthorized();
  // An id too long to be a key (the store's NotFoundError) opens nothing either.
  const stored = await deps.scim.getToken(connectionId).catch((error) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (!stored || !scimTokenMatches(match[1]!, stored.tokenHash)) throw scimUnauthorized();
  const conn = await deps.store.getConnection(stored.scope, connectionId);
  if (!conn) throw scimUnauthorized();
  if (!conn.scim) {
    throw new AppError('forbidden', 403, `SCIM is off for SSO connection ${conn.name}`);
  }
  return {
    deps,
    conn,
    caller: { email: `scim:${connectionId}` },
    at: deps.now().toISOString(),
  };
}

/** What a resource type (`Users`, `Groups`) does for each request on it. */
interface ResourceOperations {
  search(body: unknown): Promise<ScimResult>;
  list(): Promise<ScimResult>;
  create(body: unknown): Promise<ScimResult>;
  get(id: string): Promise<ScimResult>;
  replace(id: string, body: unknown): Promise<ScimResult>;
  patch(id: string, body: unknown): Promise<ScimResult>;
  remove(id: string): Promise<ScimResult>;
}

/**
 * A request on a resource type, by method: `POST …/.search`, `GET`/`POST` on the type, `GET`,
 * `PUT`, `PATCH`, `DELETE` on one resource; any other method is 405. The body is read only by
 * the operations that take one.
 */
function resource(
  method: string,
  id: string | undefined,
  readBody: () => unknown,
  notAllowed: () => Error,
  ops: ResourceOperations,
): Promise<ScimResult> {
  if (id === SEARCH) {
    if (method !== 'POST') throw notAllowed();
    return ops.search(readBody());
  }
  if (!id) {
    if (method === 'GET') return ops.list();
    if (method === 'POST') return ops.create(readBody());
    throw notAllowed();
  }
  if (method === 'GET') return ops.get(id);
  if (method === 'PUT') return ops.replace(id, readBody());
  if (method === 'PATCH') return ops.patch(id, readBody());
  if (method === 'DELETE') return ops.remove(id);
  throw notAllowed();
}

/** Routes one API Gateway (payload 2.0) request to the SCIM service. */
export async function routeScim(
  event: APIGatewayProxyEventV2,
  deps: ScimDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const raw = bodyText(event, { maxBytes: MAX_BODY_BYTES });
    const readBody = () => parseBody(raw);
    const match = PATH.exec(event.rawPath.replace(/\/+$/, ''));
    if (!match) throw scimNotFound(`No SCIM endpoint at ${pathForError(event.rawPath)}`);
    const connectionId = decodePathSegment(match[1]!);
    const [segment = '', id, ...rest] = (match[2] ?? '').split('/').map(decodePathSegment);
    if (rest.length) throw scimNotFound(`No SCIM endpoint at ${pathForError(event.rawPath)}`);
    const method = event.requestContext.http.method.toUpperCase();
    // A user read by id starts beside the token check; it is used only once the token holds.
    const userRead =
      method === 'GET' && id && segment.toLowerCase() === 'users'
        ? deps.scim.getUser(connectionId, id)
        : undefined;
    userRead?.catch(() => undefined);
    const ctx = await authenticate(event, deps, connectionId);
    const baseUrl = scimBaseUrl(requestOrigin(event), connectionId);
    const params = event.queryStringParameters ?? {};
    const notAllowed = () =>
      new AppError(
        'method-not-allowed',
        405,
        `${method} is not allowed on ${pathForError(event.rawPath)}`,
      );

    switch (segment.toLowerCase()) {
      case 'serviceproviderconfig':
      // The Microsoft reference client's name for it.
      case 'serviceconfiguration':
        if (method !== 'GET' || id) throw notAllowed();
        return respond({ status: 200, body: serviceProviderConfig(baseUrl) });
      case 'resourcetypes': {
        if (method !== 'GET') throw notAllowed();
        const doc = resourceTypesDocument(baseUrl);
        if (!id) return respond({ status: 200, body: doc });
        const one = doc.Resources.find((r) => r.id.toLowerCase() === id.toLowerCase());
        if (!one) throw scimNotFound(`No resource type ${id}`);
        return respond({ status: 200, body: one });
      }
      case 'schemas': {
        if (method !== 'GET') throw notAllowed();
        const doc = schemasDocument(baseUrl);
        if (!id) return respond({ status: 200, body: doc });
        const one = doc.Resources.find((r) => r.id === id);
        if (!one) throw scimNotFound(`No schema ${id}`);
        return respond({ status: 200, body: one });
      }
      case SEARCH:
        if (method !== 'POST' || id) throw notAllowed();
        return respond(await service.searchAll(ctx, baseUrl, readBody()));
      case 'users':
        return respond(
          await resource(method, id, readBody, notAllowed, {
            search: (body) => service.searchUsers(ctx, baseUrl, body),
            list: () => service.listUsers(ctx, baseUrl, params),
            create: (body) => service.createUser(ctx, baseUrl, body),
            get: (id) => service.getUser(ctx, baseUrl, id, params, userRead),
            replace: (id, body) => service.replaceUser(ctx, baseUrl, id, body),
            patch: (id, body) => service.patchUser(ctx, baseUrl, id, body),
            remove: (id) => service.deleteUser(ctx, id),
          }),
        );
      case 'groups':
        return respond(
          await resource(method, id, readBody, notAllowed, {
            search: (body) => service.searchGroups(ctx, baseUrl, body),
            list: () => service.listGroups(ctx, baseUrl, params),
            create: (body) => service.createGroup(ctx, baseUrl, body),
            get: (id) => service.getGroup(ctx, baseUrl, id, params),
            replace: (id, body) => service.replaceGroup(ctx, baseUrl, id, body),
            patch: (id, body) => service.patchGroup(ctx, id, body),
            remove: (id) => service.deleteGroup(ctx, id),
          }),
        );
      default:
        throw scimNotFound(`No SCIM endpoint at ${pathForError(event.rawPath)}`);
    }
  } catch (error) {
    return scimErrorResponse(error);
  }
}
