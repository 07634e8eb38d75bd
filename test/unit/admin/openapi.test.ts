import { readFile } from 'node:fs/promises';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../shared/admin/http/openapi.ts';
import { OPENAPI_COPY, renderOpenApi } from '../../../shared/admin/http/render-openapi.ts';
import { routes } from '../../../shared/admin/http/routes.ts';
import { requestSchemas } from '../../../shared/admin/schemas.ts';

/** Every route of the table in SPEC §5, `{scope}` expanded to orgs and companies. */
const SPEC_ROUTES = [
  'POST /v1/orgs',
  'GET /v1/orgs/{orgId}',
  'PATCH /v1/orgs/{orgId}',
  'GET /v1/orgs/{orgId}/members',
  'PUT /v1/orgs/{orgId}/members/{email}',
  'DELETE /v1/orgs/{orgId}/members/{email}',
  'POST /v1/orgs/{orgId}/invitations',
  'GET /v1/orgs/{orgId}/invitations',
  'DELETE /v1/orgs/{orgId}/invitations/{email}',
  'POST /v1/orgs/{orgId}/invitations/{email}/resend',
  'POST /v1/orgs/{orgId}/invitations:bulk',
  'GET /v1/orgs/{orgId}/teams',
  'POST /v1/companies',
  'GET /v1/companies/{companyId}',
  'POST /v1/companies/{companyId}/orgs',
  ...['orgs/{orgId}', 'companies/{companyId}'].flatMap((scope) =>
    [
      'POST /v1/{scope}/domains',
      'GET /v1/{scope}/domains',
      'POST /v1/{scope}/domains/{domain}/verify',
      'PUT /v1/{scope}/domains/{domain}/auto-provisioning',
      'DELETE /v1/{scope}/domains/{domain}',
      'POST /v1/{scope}/sso-connections',
      'GET /v1/{scope}/sso-connections',
      'PATCH /v1/{scope}/sso-connections/{id}',
      'DELETE /v1/{scope}/sso-connections/{id}',
      // SPEC §10
      'POST /v1/{scope}/sso-connections/{id}/scim-token',
      'DELETE /v1/{scope}/sso-connections/{id}/scim-token',
      // SPEC §12: the no-lockout check, read before switching enforcement on
      'GET /v1/{scope}/sso-connections/{id}/enforcement-check',
      'GET /v1/{scope}/events',
      // SPEC §11 (GET of one endpoint: what a user expects beside the list)
      'POST /v1/{scope}/webhooks',
      'GET /v1/{scope}/webhooks',
      'GET /v1/{scope}/webhooks/{id}',
      'PATCH /v1/{scope}/webhooks/{id}',
      'DELETE /v1/{scope}/webhooks/{id}',
      'POST /v1/{scope}/webhooks/{id}/rotate-secret',
      'GET /v1/{scope}/webhooks/{id}/deliveries',
      'POST /v1/{scope}/webhooks/{id}/replay',
      // SPEC §13
      'GET /v1/{scope}/domain-audit',
    ].map((r) => r.replace('{scope}', scope)),
  ),
  'POST /v1/hooks/sign-in',
  'GET /v1/openapi.json',
  // SPEC §9
  'GET /v1/me',
];

/** Parameter names may differ (`{id}` vs `{connectionId}`); the shape of the path may not. */
const shape = (route: string) => route.replace(/\{[^}]+\}/g, '{}');

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
};

const operations = () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      route: `${method.toUpperCase()} ${path}`,
      op,
    })),
  );
};

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(openApiDocument()));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('lists every route of SPEC §5, §9, §10, §11, §12 and §13, and nothing else', () => {
    const documented = operations().map((o) => shape(o.route));
    expect(documented.sort()).toEqual(SPEC_ROUTES.map(shape).sort());
  });

  it('documents paging on every list, bodies from the same schemas the router validates with', () => {
    for (const { route, op } of operations()) {
      const spec = routes.find((r) => `${r.method} ${r.path}` === route)!;
      const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      if (spec.list)
        expect(names, route).toEqual(expect.arrayContaining(['query:limit', 'query:cursor']));
      if (spec.request) {
        expect(op.requestBody, route).toEqual({
          required: true,
          content: {
            'application/json': { schema: { $ref: `#/components/schemas/${spec.request}` } },
            // SPEC §13: a bulk invitation takes CSV as well.
            ...(spec.raw?.csv ? { 'text/csv': expect.objectContaining({}) } : {}),
          },
        });
        expect(requestSchemas[spec.request]).toBeDefined();
      }
      if (spec.auth) expect(Object.keys(op.responses), route).toContain('401');
      else expect(op.security, route).toEqual([]);
    }
  });

  it('describes validation in the schemas themselves (patterns, bounds, required fields)', () => {
    const schemas = (
      openApiDocument() as { components: { schemas: Record<string, Record<string, unknown>> } }
    ).components.schemas;
    expect(schemas.CreateOrgRequest).toMatchObject({
      required: ['name'],
      additionalProperties: false,
      properties: { name: { pattern: '^[a-z0-9][a-z0-9-]{1,38}$' } },
    });
    // SPEC §8: the IdP's settings (idp), or an operator-bound providerName; one of them.
    expect(schemas.CreateSsoConnectionRequest).toMatchObject({
      required: ['name', 'domains'],
      properties: { domains: { minItems: 1, maxItems: 20 }, idp: expect.any(Object) },
    });
  });

  it('has a rendered copy in docs/openapi.json that is up to date', async () => {
    const copy = await readFile(OPENAPI_COPY, 'utf8').catch(() => '');
    expect(
      copy,
      'docs/openapi.json is stale: run `npx tsx shared/admin/http/render-openapi.ts`',
    ).toBe(renderOpenApi());
  });

  it("passes Redocly's recommended lint rules, warnings included", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: renderOpenApi(),
      absoluteRef: OPENAPI_COPY,
      config,
    });
    const found = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`,
    );
    expect(found).toEqual([]);
  }, 30_000);
});
