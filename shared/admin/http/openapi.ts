/**
 * The OpenAPI 3.1 document of the API (SPEC §5), generated from the route table and the same
 * zod schemas that validate requests (`z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 * `docs/openapi.json` is a rendered copy; a test fails when it is stale.
 */
import * as z from 'zod/mini';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../model/page.ts';
import { requestSchemas, responseSchemas } from '../schemas.ts';
import { routes } from './routes.ts';

const REF = '#/components/schemas/';

/**
 * API Gateway's stage throttling (`apiThrottle`) answers before any function runs, on every
 * route, with its own body rather than a problem document.
 */
const THROTTLED = {
  description: 'Throttled by the API stage; API Gateway answers `{"message": "Too Many Requests"}`',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { message: { type: 'string' } } },
    },
  },
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Validation failed; `field` names the field',
  401: 'Missing or invalid bearer token (or signature, for the hook)',
  403: 'Sign-in denied',
  404: 'Not found, or not administered by the caller (existence is not revealed)',
  409: 'A scope rule or a state conflict; `detail` says which',
  503: 'A dependency is temporarily unavailable',
};

/** Every registered schema under `components.schemas`, requests as input, responses as output. */
function componentSchemas(): Record<string, unknown> {
  const build = (named: Record<string, z.ZodMiniType>, io: 'input' | 'output') => {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
    const out = z.toJSONSchema(registry, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      uri: (id) => `${REF}${id}`,
    });
    const schemas: Record<string, unknown> = {};
    for (const [id, schema] of Object.entries(out.schemas)) {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
      schemas[id] = rest;
    }
    return schemas;
  };
  return { ...build(requestSchemas, 'input'), ...build(responseSchemas, 'output') };
}

const PARAM_DESCRIPTIONS: Record<string, string> = {
  orgId: 'The org id',
  companyId: 'The company id',
  email: 'An email address, URL-encoded',
  domain: 'A domain, URL-encoded (unicode or punycode; normalised)',
  connectionId: 'The SSO connection id',
};

let cached: Record<string, unknown> | undefined;

const CSV_EXAMPLE = 'email,role,team\nann@example.com,member,design\n"bob@example.com",owner,\n';

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const problem = (status: number) => ({
    description: STATUS_TEXT[status] ?? 'Problem',
    content: { 'application/problem+json': { schema: { $ref: `${REF}Problem` } } },
  });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(
      (m) => ({
        name: m[1],
        in: 'path',
        required: true,
        description: PARAM_DESCRIPTIONS[m[1]!] ?? m[1],
        schema: { type: 'string' },
      }),
    );
    if (route.list) {
      parameters.push(
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: `Page size, a maximum (a page may be shorter); 1–${MAX_LIMIT}`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
        },
        {
          name: 'cursor',
          in: 'query',
          required: false,
          description: 'The nextCursor of the previous page (opaque)',
          schema: { type: 'string' },
        },
      );
    }
    if (route.csv) {
      parameters.push({
        name: 'format',
        in: 'query',
        required: false,
        description:
          'csv: every row from cursor as a text/csv attachment (limit does not apply; at most 10,000 rows, the header Provisio-Next-Cursor then says where to go on)',
        schema: { type: 'string', enum: ['json', 'csv'], default: 'json' },
      });
    }
    for (const q of route.query ?? []) parameters.push({ ...q, in: 'query', required: false });
    const responses: Record<string, unknown> = {};
    if (route.operationId === 'getOpenApi') {
      responses['200'] = {
        description: 'This document',
        content: { 'application/json': { schema: { type: 'object' } } },
      };
      responses['429'] = THROTTLED;
    } else {
      responses[String(route.status)] = route.response
        ? {
            description: STATUS_TEXT[route.status],
            content: {
              'application/json': { schema: { $ref: `${REF}${route.response}` } },
              ...(route.csv
                ? {
                    'text/csv': {
                      schema: {
                        type: 'string',
                        description:
                          'RFC 4180, UTF-8, CRLF, every field quoted; a header row of the JSON fields; a cell starting with =, +, -, @, tab or CR is prefixed with a single quote',
                      },
                    },
                  }
                : {}),
            },
            ...(route.csv
              ? {
                  headers: {
                    'Provisio-Next-Cursor': {
                      description:
                        'CSV only: present when the export stopped at 10,000 rows; pass it as cursor to go on',
                      schema: { type: 'string' },
                    },
                  },
                }
              : {}),
          }
        : { description: STATUS_TEXT[route.status] };
      const statuses = new Set([...(route.auth ? [401] : []), ...route.problems, 503]);
      for (const s of [...statuses].sort()) responses[String(s)] = problem(s);
      responses['429'] = THROTTLED;
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(parameters.length || route.parameters
        ? { parameters: [...parameters, ...(route.parameters ?? [])] }
        : {}),
      ...(route.request
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: { $ref: `${REF}${route.request}` } },
                ...(route.raw?.csv
                  ? { 'text/csv': { schema: { type: 'string', examples: [CSV_EXAMPLE] } } }
                  : {}),
              },
            },
          }
        : {}),
      ...(route.auth ? {} : { security: [] }),
      responses,
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Provisio admin API',
      version: '1.0.0',
      license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
      description:
        'Organizations, companies, verified domains, auto-provisioning, SSO connections, invitations, members, teams and audit events (SPEC §5). Send the Cognito ID token (it carries the `email` claim) as a bearer token. Errors are RFC 9457 problem documents.',
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description:
          "A deployment: the stack's ApiUrl output (the local stack, npm start, serves the same API on port 3000)",
        variables: {
          apiId: { default: 'abc123', description: 'The HTTP API id' },
          region: { default: 'us-east-1' },
        },
      },
    ],
    tags: [
      { name: 'me', description: "The caller's own view" },
      { name: 'orgs', description: 'Orgs, seats, members, invitations, teams' },
      { name: 'companies', description: 'Companies and their orgs' },
      { name: 'sign-in', description: 'The HTTP sign-in hook' },
      { name: 'meta', description: 'This document' },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito ID token of the user pool; the caller is its email claim',
        },
      },
      schemas: componentSchemas(),
    },
  };
  return cached;
}
