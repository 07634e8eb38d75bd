/**
 * Admin API (SPEC §5), domains and auto-provisioning at org and company scope. Routes go through
 * the local stack's HTTP API with cognito-local tokens; verification also runs the admin handler
 * in this process against the stack's table and a DNS server on loopback, which the test
 * publishes and withdraws TXT records on (no stubbed resolver).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { readDomainClaim, readVerifiedDomain } from '../../shared/adapters/dynamodb/items.ts';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import { keys } from '../../shared/table/schema.ts';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, uniqueDomain } from '../support/admin-suite.ts';

const {
  env,
  call,
  local,
  dns,
  owner,
  stranger,
  newOrg,
  newCompanyWithOrg,
  addDomain,
  verifiedDomain,
} = adminSuite();
const enc = encodeURIComponent;

async function verifiedCopy(domain: string) {
  const out = await env.db.send(
    new GetCommand({ TableName: env.tableName, Key: keys.domainVerified(domain) }),
  );
  return out.Item;
}

describe('POST /v1/{scope}/domains', () => {
  it('adds a pending domain with a TXT record to publish (201), normalised', async () => {
    const org = await newOrg();
    const label = uniqueSlug('bücher');
    const res = await call('POST', `/v1/orgs/${org.id}/domains`, {
      as: owner,
      body: { domain: ` ${label.toUpperCase()}.Example.TEST. ` },
    });
    expect(res.status).toBe(201);
    const ascii = new URL(`http://${label}.example.test`).hostname;
    expect(ascii).toMatch(/^xn--/);
    expect(res.body).toEqual({
      domain: ascii,
      status: 'pending',
      txtRecord: {
        name: ascii,
        value: expect.stringMatching(/^provisio-verification=[0-9a-f]{32}$/),
      },
      autoProvisioning: { enabled: false, orgId: null },
      ssoConnectionId: null,
      verifiedAt: null,
      // The domain checker's first look, an hour after adding.
      nextCheckAt: expect.any(String),
      missingSince: null,
      checkExpired: false,
    });
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'domain_added',
      subject: ascii,
      orgId: org.id,
    });
  });

  it('adds a domain at company scope; the event is the company’s', async () => {
    const company = await newCompanyWithOrg();
    const added = await addDomain(`companies/${company.id}`);
    const events = await call('GET', `/v1/companies/${company.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'domain_added',
      subject: added.domain,
      orgId: null,
    });
  });

  it.each([
    ['com', 'public suffix'],
    ['co.uk', 'public suffix'],
    ['github.io', 'public suffix'],
    ['onmicrosoft.com', 'public suffix'],
    ['gmail.com', 'free mailbox'],
    ['Outlook.COM.', 'free mailbox'],
    ['not a domain', 'not a domain'],
  ])('refuses %s with a 400 naming domain and saying why (%s)', async (domain, why) => {
    const org = await newOrg();
    const res = await call('POST', `/v1/orgs/${org.id}/domains`, { as: owner, body: { domain } });
    expectProblem(res, 400, 'domain');
    expect(res.body.detail).toContain(why);
  });

  it('answers 401, 404 for another tenant, 409 for a domain added twice', async () => {
    const org = await newOrg();
    const domain = uniqueDomain();
    expectProblem(await call('POST', `/v1/orgs/${org.id}/domains`, { body: { domain } }), 401);
    expectProblem(
      await call('POST', `/v1/orgs/${org.id}/domains`, { as: stranger, body: { domain } }),
      404,
    );
    await addDomain(`orgs/${org.id}`, domain);
    expectProblem(
      await call('POST', `/v1/orgs/${org.id}/domains`, { as: owner, body: { domain } }),
      409,
    );
  });

  it('lets several scopes claim a pending domain', async () => {
    const a = await newOrg();
    const b = await newOrg({ as: stranger });
    const domain = uniqueDomain();
    await addDomain(`orgs/${a.id}`, domain);
    await addDomain(`orgs/${b.id}`, domain, stranger);
  });

  it('answers 409 "use the company" for an org in a company, before validating the body', async () => {
    const company = await newCompanyWithOrg();
    const path = `/v1/orgs/${company.org.id}/domains`;
    const res = await call('POST', path, { as: owner, body: { domain: 'gmail.com' } });
    expectProblem(res, 409);
    expect(res.body.detail).toContain(`/v1/companies/${company.id}/domains`);
    expectProblem(await call('GET', path, { as: owner }), 409);
  });
});

describe('GET /v1/{scope}/domains', () => {
  it('lists domains with status, TXT record, auto-provisioning, connection and verifiedAt, paged', async () => {
    const org = await newOrg();
    const verified = await verifiedDomain(`orgs/${org.id}`);
    const pending = await addDomain(`orgs/${org.id}`);
    const first = await call('GET', `/v1/orgs/${org.id}/domains`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(first.body.items).toHaveLength(1);
    const second = await call('GET', `/v1/orgs/${org.id}/domains`, {
      as: owner,
      query: { limit: '1', cursor: first.body.nextCursor },
    });
    expect(second.body.nextCursor).toBeNull();
    const byDomain = Object.fromEntries(
      [...first.body.items, ...second.body.items].map((d: { domain: string }) => [d.domain, d]),
    );
    expect(byDomain[verified]).toMatchObject({
      status: 'verified',
      verifiedAt: expect.any(String),
    });
    expect(byDomain[pending.domain]).toMatchObject({
      status: 'pending',
      verifiedAt: null,
      txtRecord: pending.txtRecord,
    });
  });

  it('answers 400 for a bad limit, 401 and 404', async () => {
    const company = await newCompanyWithOrg();
    const path = `/v1/companies/${company.id}/domains`;
    expectProblem(await call('GET', path, { as: owner, query: { limit: 'many' } }), 400, 'limit');
    expectProblem(await call('GET', path), 401);
    expectProblem(await call('GET', path, { as: stranger }), 404);
  });
});

describe('POST /v1/{scope}/domains/{domain}/verify', () => {
  it('verifies when a TXT record equals the value, then fails on another domain once it is withdrawn', async () => {
    const org = await newOrg();
    const first = await addDomain(`orgs/${org.id}`);
    dns.setTxt(first.txtRecord.name, ['v=spf1 -all', first.txtRecord.value]);
    const ok = await local.call('POST', `/v1/orgs/${org.id}/domains/${enc(first.domain)}/verify`, {
      as: owner,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      domain: first.domain,
      status: 'verified',
      verifiedAt: expect.any(String),
    });

    // The record is withdrawn; a second domain published nothing: verification fails, saying so.
    dns.removeTxt(first.txtRecord.name);
    const second = await addDomain(`orgs/${org.id}`);
    const miss = await local.call(
      'POST',
      `/v1/orgs/${org.id}/domains/${enc(second.domain)}/verify`,
      { as: owner },
    );
    expectProblem(miss, 409);
    expect(miss.body.detail).toContain('No TXT record found');
    expect(miss.body.found).toEqual([]);
    expect(miss.body.expected).toEqual(second.txtRecord);

    // A wrong value is reported with what was found; the domain stays pending.
    dns.setTxt(second.txtRecord.name, ['provisio-verification=somebody-else']);
    const wrong = await local.call(
      'POST',
      `/v1/orgs/${org.id}/domains/${enc(second.domain)}/verify`,
      { as: owner },
    );
    expectProblem(wrong, 409);
    expect(wrong.body.found).toEqual(['provisio-verification=somebody-else']);
    const list = await call('GET', `/v1/orgs/${org.id}/domains`, { as: owner });
    const status = Object.fromEntries(
      list.body.items.map((d: { domain: string; status: string }) => [d.domain, d.status]),
    );
    expect(status).toEqual({ [first.domain]: 'verified', [second.domain]: 'pending' });
  });

  it('writes the sign-in copy, the domain_verified event and an outbox item in one go', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const copy = await verifiedCopy(domain);
    expect(copy).toBeDefined();
    expect(readVerifiedDomain(copy!)).toEqual({
      domain,
      scope: { type: 'org', id: org.id },
      autoProvisioning: null,
      ssoConnectionIds: [],
    });
    const claim = await env.db.send(
      new GetCommand({
        TableName: env.tableName,
        Key: keys.domainClaim({ type: 'org', id: org.id }, domain),
      }),
    );
    expect(readDomainClaim(claim.Item!)).toMatchObject({
      status: 'verified',
      nextCheckAt: expect.any(String),
    });
    expect(claim.Item!.gsi1pk).toBe('DOMAINCHECK');
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'domain_verified',
      subject: domain,
      actor: owner,
    });
    const outbox = await scanAll(env.db, {
      TableName: env.tableName,
      FilterExpression: 'entity = :outbox AND notification.details.#domain = :domain',
      ExpressionAttributeNames: { '#domain': 'domain' },
      ExpressionAttributeValues: { ':outbox': 'outbox', ':domain': domain },
    });
    expect(outbox.map((i) => i.notification)).toEqual([
      {
        type: 'domain_verified',
        orgId: org.id,
        orgName: org.name,
        companyId: null,
        email: owner,
        name: null,
        details: { domain },
      },
    ]);
  });

  it('answers 409 when another org or company has verified the domain', async () => {
    const a = await newOrg();
    const domain = await verifiedDomain(`orgs/${a.id}`);
    const b = await newOrg({ as: stranger });
    const claim = await addDomain(`orgs/${b.id}`, domain, stranger);
    dns.setTxt(domain, [claim.txtRecord.value]);
    const res = await local.call('POST', `/v1/orgs/${b.id}/domains/${enc(domain)}/verify`, {
      as: stranger,
    });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('already verified by another');
    expect(readVerifiedDomain((await verifiedCopy(domain))!).scope).toEqual({
      type: 'org',
      id: a.id,
    });
  });

  it('lets exactly one of two scopes verifying the same domain at once win', async () => {
    const a = await newOrg();
    const b = await newOrg({ as: stranger });
    const domain = uniqueDomain();
    const claimA = await addDomain(`orgs/${a.id}`, domain);
    const claimB = await addDomain(`orgs/${b.id}`, domain, stranger);
    dns.setTxt(domain, [claimA.txtRecord.value, claimB.txtRecord.value]);
    const results = await Promise.all([
      local.call('POST', `/v1/orgs/${a.id}/domains/${enc(domain)}/verify`, { as: owner }),
      local.call('POST', `/v1/orgs/${b.id}/domains/${enc(domain)}/verify`, { as: stranger }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results[0]!.status === 200 ? a.id : b.id;
    expect(readVerifiedDomain((await verifiedCopy(domain))!).scope).toEqual({
      type: 'org',
      id: winner,
    });
  });

  it('verifies at company scope', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    expect(readVerifiedDomain((await verifiedCopy(domain))!).scope).toEqual({
      type: 'company',
      id: company.id,
    });
    const events = await call('GET', `/v1/companies/${company.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'domain_verified',
      orgId: null,
      subject: domain,
    });
  });

  it('answers 400 for a malformed domain, 401, 404 for another tenant or an unknown domain, 409 in a company org', async () => {
    const org = await newOrg();
    const added = await addDomain(`orgs/${org.id}`);
    const path = `/v1/orgs/${org.id}/domains/${enc(added.domain)}/verify`;
    expectProblem(await call('POST', path), 401);
    expectProblem(await call('POST', path, { as: stranger }), 404);
    expectProblem(
      await call('POST', `/v1/orgs/${org.id}/domains/${enc('no such domain')}/verify`, {
        as: owner,
      }),
      400,
      'domain',
    );
    expectProblem(
      await call('POST', `/v1/orgs/${org.id}/domains/${enc(uniqueDomain())}/verify`, { as: owner }),
      404,
    );
    const company = await newCompanyWithOrg();
    expectProblem(
      await call('POST', `/v1/orgs/${company.org.id}/domains/${enc(added.domain)}/verify`, {
        as: owner,
      }),
      409,
    );
  });
});

describe('PUT /v1/{scope}/domains/{domain}/auto-provisioning', () => {
  it('enables and disables at org scope, rewriting the sign-in copy', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const path = `/v1/orgs/${org.id}/domains/${enc(domain)}/auto-provisioning`;
    const on = await call('PUT', path, { as: owner, body: { enabled: true } });
    expect(on.status).toBe(200);
    expect(on.body.autoProvisioning).toEqual({ enabled: true, orgId: org.id });
    expect(readVerifiedDomain((await verifiedCopy(domain))!).autoProvisioning).toEqual({
      orgId: org.id,
      orgName: org.name,
    });
    const off = await call('PUT', path, { as: owner, body: { enabled: false } });
    expect(off.body.autoProvisioning).toEqual({ enabled: false, orgId: null });
    expect(readVerifiedDomain((await verifiedCopy(domain))!).autoProvisioning).toBeNull();
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '2' },
    });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'auto_provisioning_disabled',
      'auto_provisioning_enabled',
    ]);
  });

  it('lets a verified person join through auto-provisioning at their next sign-in', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    await call('PUT', `/v1/orgs/${org.id}/domains/${enc(domain)}/auto-provisioning`, {
      as: owner,
      body: { enabled: true },
    });
    const person = await env.signInAs(`pat-${uniqueSlug('p')}@${domain}`);
    const members = await call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect(members.body.items).toContainEqual(
      expect.objectContaining({ email: person, role: 'member', via: 'auto-provisioning' }),
    );
  });

  it('needs a company org at company scope (400 naming orgId)', async () => {
    const company = await newCompanyWithOrg();
    const domain = await verifiedDomain(`companies/${company.id}`);
    const path = `/v1/companies/${company.id}/domains/${enc(domain)}/auto-provisioning`;
    expectProblem(await call('PUT', path, { as: owner, body: { enabled: true } }), 400, 'orgId');
    const outsider = await newOrg();
    expectProblem(
      await call('PUT', path, { as: owner, body: { enabled: true, orgId: outsider.id } }),
      400,
      'orgId',
    );
    const on = await call('PUT', path, {
      as: owner,
      body: { enabled: true, orgId: company.org.id },
    });
    expect(on.status).toBe(200);
    expect(on.body.autoProvisioning).toEqual({ enabled: true, orgId: company.org.id });
    expect(readVerifiedDomain((await verifiedCopy(domain))!).autoProvisioning).toEqual({
      orgId: company.org.id,
      orgName: company.org.name,
    });
    const events = await call('GET', `/v1/companies/${company.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'auto_provisioning_enabled',
      orgId: null,
      details: { orgId: company.org.id },
    });
  });

  it('answers 400 naming enabled or orgId, 401, 404, and 409 for an unverified domain', async () => {
    const org = await newOrg();
    const pending = await addDomain(`orgs/${org.id}`);
    const path = `/v1/orgs/${org.id}/domains/${enc(pending.domain)}/auto-provisioning`;
    expectProblem(await call('PUT', path, { as: owner, body: {} }), 400, 'enabled');
    expectProblem(await call('PUT', path, { as: owner, body: { enabled: 'yes' } }), 400, 'enabled');
    expectProblem(
      await call('PUT', path, { as: owner, body: { enabled: true, orgId: 'other' } }),
      400,
      'orgId',
    );
    expectProblem(await call('PUT', path, { body: { enabled: true } }), 401);
    expectProblem(await call('PUT', path, { as: stranger, body: { enabled: true } }), 404);
    expectProblem(
      await call('PUT', `/v1/orgs/${org.id}/domains/${enc(uniqueDomain())}/auto-provisioning`, {
        as: owner,
        body: { enabled: true },
      }),
      404,
    );
    const res = await call('PUT', path, { as: owner, body: { enabled: true } });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('not verified');
  });
});

describe('DELETE /v1/{scope}/domains/{domain}', () => {
  it('removes a verified domain, its sign-in copy and its auto-provisioning (204)', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    await call('PUT', `/v1/orgs/${org.id}/domains/${enc(domain)}/auto-provisioning`, {
      as: owner,
      body: { enabled: true },
    });
    const res = await call('DELETE', `/v1/orgs/${org.id}/domains/${enc(domain)}`, { as: owner });
    expect(res.status).toBe(204);
    expect(await verifiedCopy(domain)).toBeUndefined();
    const list = await call('GET', `/v1/orgs/${org.id}/domains`, { as: owner });
    expect(list.body.items).toEqual([]);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '2' },
    });
    expect(events.body.items.map((e: { type: string }) => e.type).sort()).toEqual([
      'auto_provisioning_disabled',
      'domain_removed',
    ]);
  });

  it('answers 401, 404 for another tenant or an unknown domain, 409 in a company org', async () => {
    const org = await newOrg();
    const added = await addDomain(`orgs/${org.id}`);
    const path = `/v1/orgs/${org.id}/domains/${enc(added.domain)}`;
    expectProblem(await call('DELETE', path), 401);
    expectProblem(await call('DELETE', path, { as: stranger }), 404);
    expectProblem(
      await call('DELETE', `/v1/orgs/${org.id}/domains/${enc(uniqueDomain())}`, { as: owner }),
      404,
    );
    const company = await newCompanyWithOrg();
    expectProblem(
      await call('DELETE', `/v1/orgs/${company.org.id}/domains/${enc(added.domain)}`, {
        as: owner,
      }),
      409,
    );
    expect((await call('DELETE', path, { as: owner })).status).toBe(204);
  });
});
