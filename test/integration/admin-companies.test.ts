/**
 * Admin API (SPEC §5), companies and audit events, through the local stack's HTTP API with
 * cognito-local tokens.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, uniqueDomain } from '../support/admin-suite.ts';

const { env, call, owner, stranger, newOrg, newCompany } = adminSuite();
const enc = encodeURIComponent;

describe('POST /v1/companies', () => {
  it('creates a company owned by the caller (201)', async () => {
    const res = await call('POST', '/v1/companies', {
      as: owner,
      body: { name: '  Acme Holdings ' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'Acme Holdings', orgs: [] });
    expect((await call('GET', `/v1/companies/${res.body.id}`, { as: owner })).body).toEqual(
      res.body,
    );
  });

  it('answers 400 naming name, and 401', async () => {
    expectProblem(await call('POST', '/v1/companies', { as: owner, body: {} }), 400, 'name');
    expectProblem(
      await call('POST', '/v1/companies', { as: owner, body: { name: '   ' } }),
      400,
      'name',
    );
    expectProblem(
      await call('POST', '/v1/companies', { as: owner, body: { name: 7 } }),
      400,
      'name',
    );
    expectProblem(await call('POST', '/v1/companies', { as: owner, body: ['name'] }), 400, 'body');
    expectProblem(await call('POST', '/v1/companies', { body: { name: 'x' } }), 401);
  });
});

describe('GET /v1/companies/{companyId}', () => {
  it('answers 401, and 404 for another tenant or an unknown company', async () => {
    const company = await newCompany();
    expectProblem(await call('GET', `/v1/companies/${company.id}`), 401);
    expectProblem(await call('GET', `/v1/companies/${company.id}`, { as: stranger }), 404);
    expectProblem(await call('GET', '/v1/companies/no-such-company', { as: owner }), 404);
  });
});

describe('POST /v1/companies/{companyId}/orgs', () => {
  it('moves an org the caller owns into the company and answers the company (200)', async () => {
    const company = await newCompany();
    const org = await newOrg();
    const res = await call('POST', `/v1/companies/${company.id}/orgs`, {
      as: owner,
      body: { orgId: org.id },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: company.id,
      name: company.name,
      orgs: [{ id: org.id, name: org.name }],
    });
    expect((await call('GET', `/v1/orgs/${org.id}`, { as: owner })).body.companyId).toBe(
      company.id,
    );
    // Adding it again changes nothing.
    const again = await call('POST', `/v1/companies/${company.id}/orgs`, {
      as: owner,
      body: { orgId: org.id },
    });
    expect(again.status).toBe(200);
    expect(again.body.orgs).toHaveLength(1);
  });

  it('lets company owners administer the org even when they are no longer its members', async () => {
    const company = await newCompany();
    const org = await newOrg();
    await call('POST', `/v1/companies/${company.id}/orgs`, { as: owner, body: { orgId: org.id } });
    // A second owner takes over the org; the company owner leaves it.
    const second = `second-${uniqueSlug('o')}@example.test`;
    await call('POST', `/v1/orgs/${org.id}/invitations`, { as: owner, body: { email: second } });
    await env.signInAs(second);
    const promoted = await call('PUT', `/v1/orgs/${org.id}/members/${enc(second)}`, {
      as: owner,
      body: { role: 'owner' },
    });
    expect(promoted.status).toBe(200);
    const left = await call('DELETE', `/v1/orgs/${org.id}/members/${enc(owner)}`, { as: owner });
    expect(left.status).toBe(204);
    const res = await call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: { email: string }) => m.email)).toEqual([second]);
  });

  it('brings the org’s earlier events into the company’s activity', async () => {
    const company = await newCompany();
    const org = await newOrg({ seatLimit: 5 });
    await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 6 } });
    await call('POST', `/v1/companies/${company.id}/orgs`, { as: owner, body: { orgId: org.id } });
    await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 7 } });
    // The history is indexed by the stream worker after the move commits (an outbox task).
    const listed = async () =>
      (await call('GET', `/v1/companies/${company.id}/events`, { as: owner })).body.items.map(
        (e: { type: string; orgId: string }) => [e.type, e.orgId],
      );
    await expect.poll(listed, { timeout: 15_000 }).toEqual([
      ['seats_changed', org.id],
      ['seats_changed', org.id],
      ['member_added', org.id],
    ]);
  });

  it('answers 400 naming orgId, 401, 404 for another tenant’s company or an org the caller does not own', async () => {
    const company = await newCompany();
    const path = `/v1/companies/${company.id}/orgs`;
    expectProblem(await call('POST', path, { as: owner, body: {} }), 400, 'orgId');
    expectProblem(await call('POST', path, { as: owner, body: { orgId: 42 } }), 400, 'orgId');
    const org = await newOrg();
    expectProblem(await call('POST', path, { body: { orgId: org.id } }), 401);
    expectProblem(await call('POST', path, { as: stranger, body: { orgId: org.id } }), 404);
    const theirs = await newOrg({ as: stranger });
    expectProblem(await call('POST', path, { as: owner, body: { orgId: theirs.id } }), 404);
    expectProblem(await call('POST', path, { as: owner, body: { orgId: 'no-such-org' } }), 404);
  });

  it('answers 409 for an org in another company, and for one with its own domains', async () => {
    const [a, b] = [await newCompany(), await newCompany()];
    const org = await newOrg();
    await call('POST', `/v1/companies/${a.id}/orgs`, { as: owner, body: { orgId: org.id } });
    const elsewhere = await call('POST', `/v1/companies/${b.id}/orgs`, {
      as: owner,
      body: { orgId: org.id },
    });
    expectProblem(elsewhere, 409);
    expect(elsewhere.body.detail).toContain('another company');

    const withDomain = await newOrg();
    await call('POST', `/v1/orgs/${withDomain.id}/domains`, {
      as: owner,
      body: { domain: uniqueDomain() },
    });
    const res = await call('POST', `/v1/companies/${b.id}/orgs`, {
      as: owner,
      body: { orgId: withDomain.id },
    });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('own domains or SSO connections');
  });
});

describe('GET /v1/{scope}/events', () => {
  it('lists an org’s events newest first, paged with an opaque cursor', async () => {
    const org = await newOrg({ seatLimit: 10 });
    for (const seatLimit of [11, 12, 13]) {
      await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit } });
    }
    const path = `/v1/orgs/${org.id}/events`;
    const pages: { type: string; details: Record<string, unknown> }[][] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', path, {
        as: owner,
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      pages.push(res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 2]);
    expect(pages.flat().map((e) => [e.type, e.details.to ?? null])).toEqual([
      ['seats_changed', 13],
      ['seats_changed', 12],
      ['seats_changed', 11],
      ['member_added', null],
    ]);
    const first = pages.flat().at(-1);
    expect(first).toEqual({
      id: expect.any(String),
      seq: 1,
      type: 'member_added',
      at: expect.any(String),
      actor: owner,
      subject: owner,
      orgId: org.id,
      details: { via: 'creator', role: 'owner' },
    });
  });

  it('lists a company’s own events and its orgs’ events together', async () => {
    const company = await newCompany();
    const org = await newOrg();
    await call('POST', `/v1/companies/${company.id}/orgs`, { as: owner, body: { orgId: org.id } });
    const domain = uniqueDomain();
    await call('POST', `/v1/companies/${company.id}/domains`, { as: owner, body: { domain } });
    await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 9 } });
    // The org's history before the move is indexed by the stream worker (an outbox task).
    const listed = async () =>
      (await call('GET', `/v1/companies/${company.id}/events`, { as: owner })).body.items.map(
        (e: { type: string; orgId: string | null }) => [e.type, e.orgId],
      );
    await expect.poll(listed, { timeout: 15_000 }).toEqual([
      ['seats_changed', org.id],
      ['domain_added', null],
      ['member_added', org.id],
    ]);
    // The org's own list has only its events.
    const orgEvents = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(orgEvents.body.items.map((e: { type: string }) => e.type)).toEqual([
      'seats_changed',
      'member_added',
    ]);
  });

  it('answers 400 for a bad limit or a tampered cursor, 401 and 404', async () => {
    const org = await newOrg();
    const company = await newCompany();
    for (const path of [`/v1/orgs/${org.id}/events`, `/v1/companies/${company.id}/events`]) {
      expectProblem(await call('GET', path, { as: owner, query: { limit: '1000' } }), 400, 'limit');
      expectProblem(await call('GET', path, { as: owner, query: { limit: '2.5' } }), 400, 'limit');
      const forged = Buffer.from(
        JSON.stringify({ pk: 'ORG#someone-else', sk: 'EVENT#x' }),
      ).toString('base64url');
      expectProblem(
        await call('GET', path, { as: owner, query: { cursor: forged } }),
        400,
        'cursor',
      );
      expectProblem(
        await call('GET', path, { as: owner, query: { cursor: '%%%' } }),
        400,
        'cursor',
      );
      expectProblem(await call('GET', path), 401);
      expectProblem(await call('GET', path, { as: stranger }), 404);
    }
  });
});
