/**
 * Property-based fuzzing of every admin route (SPEC §5) through the admin handler, in process,
 * against a fresh table on the test stack's DynamoDB Local: whatever the body, path parameters
 * or query, the answer is a success or a problem document with a 4xx status — never a 500,
 * never a crash — and a refused request writes nothing.
 *
 * The routes come from the route table (shared/admin/http/routes.ts), so a route added there is
 * fuzzed here without a change. Bodies are built from each route's request schema: its known
 * fields with any values, a valid body with one field spoiled or one unknown field added, any
 * JSON at all, and text that is not JSON.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import {
  createIdentityProviderRegistry,
  readIdentityProviderRegistry,
} from '../../shared/adapters/cognito/registry.ts';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import { type RouteSpec, routes } from '../../shared/admin/http/routes.ts';
import { requestSchemas } from '../../shared/admin/schemas.ts';
import {
  type AdminApi,
  type ApiAnswer,
  adminDeps,
  inProcessApi,
  uniqueSlug,
} from '../support/admin-harness.ts';
import { anyValue, nastyString } from '../support/arbitraries.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

const BODY_RUNS = 40;
const SAML = { type: 'saml', metadataUrl: 'https://idp.fuzz.example/metadata' };
const OIDC = {
  type: 'oidc',
  issuer: 'https://login.fuzz.example',
  clientId: 'fuzz',
  clientSecret: 'fuzz-secret',
};
const PARAM_RUNS = 15;
const OWNER = 'owner@admin-fuzz.test';

let fx: SignInFixture;
let dns: TestDnsServer;
/** The identity providers this file's handler creates (a registry of its own). */
const registryFile = join(tmpdir(), `provisio-fuzz-idps-${randomUUID()}.json`);
let api: AdminApi;
/** Path parameter values that name real things, per scope. */
let params: { org: Record<string, string>; company: Record<string, string> };
/** A valid body per route (operationId), the base that fuzzing spoils. */
let validBodies: Record<string, Record<string, unknown>>;

async function created(method: string, path: string, body: unknown): Promise<ApiAnswer> {
  const res = await api.call(method, path, { as: OWNER, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res;
}

async function verifiedDomain(scope: string): Promise<string> {
  const added = await created('POST', `/v1/${scope}/domains`, {
    domain: `${uniqueSlug('d')}.fuzz.example`,
  });
  dns.setTxt(added.body.domain, [added.body.txtRecord.value]);
  await created('POST', `/v1/${scope}/domains/${added.body.domain}/verify`, undefined);
  return added.body.domain;
}

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  dns = await startDnsServer();
  api = inProcessApi(
    adminDeps(fx.db, fx.tableName, [dns.address], {
      identityProviders: createIdentityProviderRegistry({
        file: registryFile,
        clientIds: ['fuzz-client'],
      }),
    }),
  );

  // An org of its own, a company with an org, and an org to move into the company.
  const org = (await created('POST', '/v1/orgs', { name: uniqueSlug('fz'), seatLimit: 1000 })).body;
  const company = (await created('POST', '/v1/companies', { name: 'Fuzz Holdings' })).body;
  const companyOrg = (await created('POST', '/v1/orgs', { name: uniqueSlug('fz') })).body;
  await created('POST', `/v1/companies/${company.id}/orgs`, { orgId: companyOrg.id });
  const movable = (await created('POST', '/v1/orgs', { name: uniqueSlug('fz') })).body;

  const orgDomain = await verifiedDomain(`orgs/${org.id}`);
  const companyDomain = await verifiedDomain(`companies/${company.id}`);
  const orgConnection = (
    await created('POST', `/v1/orgs/${org.id}/sso-connections`, {
      name: 'Org IdP',
      idp: SAML,
      domains: [orgDomain],
    })
  ).body;
  const companyConnection = (
    await created('POST', `/v1/companies/${company.id}/sso-connections`, {
      name: 'Company IdP',
      idp: OIDC,
      domains: [companyDomain],
      defaultOrgId: companyOrg.id,
    })
  ).body;

  params = {
    org: {
      orgId: org.id,
      email: OWNER,
      domain: orgDomain,
      connectionId: orgConnection.id,
    },
    company: {
      companyId: company.id,
      domain: companyDomain,
      connectionId: companyConnection.id,
    },
  };
  validBodies = {
    createOrg: { name: 'fuzz-org', seatLimit: 5 },
    updateOrg: { seatLimit: 900 },
    setMemberRole: { role: 'owner' },
    createInvitation: { email: 'invitee@fuzz.example', role: 'member', team: 'dev' },
    createCompany: { name: 'Another Holdings' },
    addCompanyOrg: { orgId: movable.id },
    addOrgDomain: { domain: 'added.fuzz.example' },
    addCompanyDomain: { domain: 'added.fuzz.example' },
    setOrgAutoProvisioning: { enabled: true },
    setCompanyAutoProvisioning: { enabled: true, orgId: companyOrg.id },
    createOrgSsoConnection: { name: 'IdP', idp: SAML, domains: [orgDomain] },
    createCompanySsoConnection: {
      name: 'IdP',
      idp: OIDC,
      domains: [companyDomain],
      defaultOrgId: companyOrg.id,
    },
    updateOrgSsoConnection: { jit: false },
    updateCompanySsoConnection: { scim: true },
  };
}, 60_000);

afterAll(async () => {
  await dns?.close();
  await fx?.drop();
  await rm(registryFile, { force: true });
});

const providerCount = async () =>
  Object.keys((await readIdentityProviderRegistry(registryFile)).providers).length;

/** Every route the admin function serves. */
const served = routes.filter((r) => r.run && !r.external);
const withBody = served.filter((r) => r.request);

async function itemCount(): Promise<number> {
  const items = await scanAll(fx.db, { TableName: fx.tableName, ConsistentRead: true });
  return items.length;
}

/** The real path of a route, with `override` replacing some parameters (raw, then encoded). */
function pathOf(route: RouteSpec, override: Record<string, string> = {}): string {
  const values = route.path.startsWith('/v1/companies') ? params.company : params.org;
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(override[name] ?? values[name] ?? ''),
  );
}

/** Body candidates for one route: sent as JSON (`body`) or as raw text (`raw`). */
function bodies(route: RouteSpec): fc.Arbitrary<{ body?: unknown; raw?: string }> {
  const schema = requestSchemas[route.request!] as unknown as z.ZodObject;
  const fields = Object.keys(schema.shape);
  const valid = () => validBodies[route.operationId] ?? {};
  return fc.oneof(
    fc
      .record(Object.fromEntries(fields.map((f) => [f, anyValue])), { requiredKeys: [] })
      .map((body) => ({ body })),
    fc
      .tuple(fc.constantFrom(...fields), anyValue)
      .map(([field, value]) => ({ body: { ...valid(), [field]: value } })),
    fc
      .tuple(nastyString, anyValue)
      .map(([field, value]) => ({ body: { ...valid(), [field]: value } })),
    fc.constantFrom(...fields).map((field) => {
      const { [field]: _, ...rest } = valid();
      return { body: rest };
    }),
    anyValue.map((body) => ({ body })),
    fc.jsonValue().map((body) => ({ body })),
    nastyString.map((raw) => ({ raw })),
    fc.constant({}).map(() => ({ body: valid() })),
  );
}

/** The checks every answer must pass; `before` is the item count before the call. */
async function expectSafe(answer: ApiAnswer, before: number, what: string): Promise<void> {
  const context = `${what} → ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}`;
  expect([200, 201, 204, 400, 404, 405, 409], context).toContain(answer.status);
  if (answer.status < 400) return;
  expect(answer.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  expect(answer.body, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: answer.status,
    detail: expect.any(String),
  });
  if (answer.status === 400) expect(typeof answer.body.field, context).toBe('string');
  // A refused request changes nothing.
  expect(await itemCount(), `${context}: it wrote`).toBe(before);
}

describe('fuzzing SSO connection settings (SPEC §8)', () => {
  const xml = (body: string) =>
    `<?xml version="1.0"?><EntityDescriptor entityID="https://idp">${body}</EntityDescriptor>`;
  const badSettings = fc.oneof(
    // Not SAML metadata of an IdP, or too large.
    fc
      .oneof(
        nastyString,
        fc.constant('<html><body>not metadata</body></html>'),
        fc.constant(xml('<SPSSODescriptor><SingleSignOnService/></SPSSODescriptor>')),
        fc.constant(
          xml('<IDPSSODescriptor><SingleSignOnService/></IDPSSODescriptor>').slice(0, -3),
        ),
        fc.constant(
          xml(`<IDPSSODescriptor><SingleSignOnService/>${'x'.repeat(100_001)}</IDPSSODescriptor>`),
        ),
      )
      .map((metadataXml) => ({ type: 'saml', metadataXml })),
    // A metadata URL or an issuer that is not https, or huge.
    fc
      .oneof(
        nastyString,
        fc.constantFrom(
          'http://idp.example/metadata',
          'ftp://idp.example',
          'https://u:p@idp.example',
          'https://idp.example/#x',
        ),
        fc.constant(`https://idp.example/${'a'.repeat(3000)}`),
      )
      .chain((url) =>
        fc.constantFrom(
          { type: 'saml', metadataUrl: url },
          { type: 'oidc', issuer: url, clientId: 'a', clientSecret: 'b' },
        ),
      ),
    // Both metadata sources, or neither; an unknown type; a huge or spaced client secret.
    fc.constantFrom(
      { type: 'saml', metadataUrl: SAML.metadataUrl, metadataXml: xml('') },
      { type: 'saml' },
      { type: 'ws-fed', metadataUrl: SAML.metadataUrl },
      { ...OIDC, clientSecret: 'x'.repeat(256) },
      { ...OIDC, clientSecret: 'has space' },
      { ...OIDC, groupsClaim: '' },
      { ...OIDC, extra: 1 },
    ),
    // Anything else (left out would be no settings at all, which a PATCH may do).
    anyValue.filter((v) => v !== undefined),
  );

  it.each([
    ['POST', 'org'],
    ['POST', 'company'],
    ['PATCH', 'org'],
  ] as const)(
    '%s at %s scope: 400 naming the field, no provider created, nothing written',
    async (method, scope) => {
      const route = served.find(
        (r) =>
          r.method === method &&
          r.path.includes('sso-connections') &&
          r.path.startsWith(scope === 'org' ? '/v1/orgs' : '/v1/companies'),
      )!;
      await fc.assert(
        fc.asyncProperty(badSettings, async (idp) => {
          const [items, providers] = [await itemCount(), await providerCount()];
          const body = { ...(method === 'POST' ? validBodies[route.operationId] : {}), idp };
          const answer = await api.call(method, pathOf(route), { as: OWNER, body });
          const context = `${JSON.stringify(idp)?.slice(0, 200)} → ${answer.status} ${JSON.stringify(answer.body)}`;
          expect(answer.status, context).toBe(400);
          expect(String(answer.body.field), context).toMatch(/^idp/);
          expect(await itemCount(), context).toBe(items);
          expect(await providerCount(), context).toBe(providers);
        }),
        { numRuns: BODY_RUNS, endOnFailure: true },
      );
    },
    120_000,
  );
});

describe('fuzzing admin route bodies', () => {
  it.each(withBody.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: never a 500, never a write when refused',
    async (_, route) => {
      await fc.assert(
        fc.asyncProperty(bodies(route), async (input) => {
          const before = await itemCount();
          const answer = await api.call(route.method, pathOf(route), {
            as: OWNER,
            ...(input.raw !== undefined ? { rawBody: input.raw } : { body: input.body }),
          });
          await expectSafe(
            answer,
            before,
            `${route.method} ${route.path} ${input.raw ?? JSON.stringify(input.body)?.slice(0, 200)}`,
          );
        }),
        { numRuns: BODY_RUNS, endOnFailure: true },
      );
    },
    120_000,
  );
});

describe('fuzzing admin route parameters and queries', () => {
  const withParams = served.filter((r) => /\{\w+\}/.test(r.path));
  it.each(withParams.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: never a 500, never a write when refused',
    async (_, route) => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const query = fc.dictionary(
        fc.constantFrom('limit', 'cursor', 'other'),
        fc.oneof(nastyString, fc.integer().map(String)),
        { maxKeys: 2 },
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...names), nastyString, query, async (name, value, q) => {
          const before = await itemCount();
          // One parameter spoiled, so that no DELETE ever names a real thing.
          const answer = await api.call(route.method, pathOf(route, { [name]: value }), {
            as: OWNER,
            query: q,
            ...(route.request ? { body: validBodies[route.operationId] } : {}),
          });
          // A spoiled parameter never changes anything, whatever the status.
          await expectSafe(answer, before, `${route.method} ${route.path} ${name}=${value}`);
          if (answer.status < 400) expect(await itemCount()).toBe(before);
        }),
        { numRuns: PARAM_RUNS, endOnFailure: true },
      );
    },
    120_000,
  );
});
