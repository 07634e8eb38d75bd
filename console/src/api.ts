/**
 * The admin API (SPEC §5) with the signed-in person's ID token. Errors are RFC 9457 problem
 * documents; they surface as `ApiProblem`, which the screens show next to what caused them.
 */
import { CognitoError } from './cognito.ts';
import type { ConsoleConfig } from './config.ts';
import { idToken, SessionEnded, session } from './session.ts';

/** A problem document the API answered. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** The request field a 400 names (`name`, `seatLimit`, `domains[1]`, ...). */
    readonly field: string | undefined,
    /** Everything else the problem carries (`expected`, `found`, `companyId`, ...). */
    readonly extra: Readonly<Record<string, unknown>>,
  ) {
    super(detail || title);
  }
}

/** The API could not be reached at all. */
export class NetworkProblem extends Error {}

/** One page of a list: `nextCursor: null` is the end. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

let config: ConsoleConfig | undefined;

/** Points the client at the API (once, after `config.json` is loaded). */
export function configureApi(next: ConsoleConfig): void {
  config = next;
}

/** `encodeURIComponent`, for ids, emails and domains in paths. */
export const enc = encodeURIComponent;

/** A body sent as it is (a CSV file), with its content type and any other headers. */
export interface RawBody {
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What a request sends besides a JSON body: headers, or a body sent as it is. */
interface Extra {
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly raw?: RawBody | undefined;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  token: string,
  extra: Extra = {},
): Promise<Response> {
  const base = config?.apiUrl || window.location.origin;
  try {
    return await fetch(new URL(path, base), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra.headers,
        ...extra.raw?.headers,
      },
      ...(extra.raw
        ? { body: extra.raw.text }
        : body === undefined
          ? {}
          : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new NetworkProblem('Could not reach the admin API.');
  }
}

async function toProblem(response: Response): Promise<ApiProblem> {
  let doc: Record<string, unknown> = {};
  try {
    doc = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a gateway error page): status alone then.
  }
  const { type: _type, title, status, detail, field, ...extra } = doc;
  return new ApiProblem(
    typeof status === 'number' ? status : response.status,
    typeof title === 'string' ? title : response.statusText,
    typeof detail === 'string' ? detail : typeof doc.message === 'string' ? doc.message : '',
    typeof field === 'string' ? field : undefined,
    extra,
  );
}

/** A valid ID token; Cognito out of reach is the same to the person as the API out of reach. */
async function token(c: ConsoleConfig, force = false): Promise<string> {
  try {
    return await idToken(c, force);
  } catch (error) {
    if (error instanceof CognitoError && error.code === 'NetworkError') {
      throw new NetworkProblem('Could not reach the sign-in service to refresh the session.');
    }
    throw error;
  }
}

/** Calls the API; resolves to its successful response, rejects with `ApiProblem`. */
async function respond(
  method: string,
  path: string,
  body: unknown,
  extra?: Extra,
): Promise<Response> {
  if (!config) throw new Error('configureApi was not called');
  let response = await send(method, path, body, await token(config), extra);
  if (response.status === 401) {
    // The token may have expired in flight, or been revoked: one fresh try.
    response = await send(method, path, body, await token(config, true), extra);
    if (response.status === 401) {
      session.end('Your session has ended. Sign in again to continue.');
      throw new SessionEnded('401');
    }
  }
  if (!response.ok) throw await toProblem(response);
  return response;
}

/** Calls the API; resolves to the JSON answer (undefined for 204), rejects with `ApiProblem`. */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  extra?: Extra,
): Promise<T> {
  const response = await respond(method, path, body, extra);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A file the API answered (a CSV export): its content, its name, and the headers. */
export interface Download {
  readonly blob: Blob;
  readonly filename: string;
  readonly headers: Headers;
}

/** The file name of a `Content-Disposition: attachment; filename="..."` answer. */
export function attachmentName(disposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? fallback;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown, headers?: Readonly<Record<string, string>>) =>
    request<T>('POST', path, body, { headers }),
  /** POST of a body as it is (`raw.headers` carries its content type). */
  postRaw: <T>(path: string, raw: RawBody) => request<T>('POST', path, undefined, { raw }),
  /** GETs a file (an export), with the signed-in person's token. */
  download: async (path: string, fallbackName: string): Promise<Download> => {
    const response = await respond('GET', path, undefined);
    return {
      blob: await response.blob(),
      filename: attachmentName(response.headers.get('content-disposition'), fallbackName),
      headers: response.headers,
    };
  },
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  del: (path: string) => request<void>('DELETE', path),
};

/** A list path with `limit` and `cursor`. */
export function pagePath(path: string, cursor: string | null, limit = 50): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `${path}?${query}`;
}
