/**
 * The domain checker's runs (SPEC §5) against DynamoDB Local and a DNS server on loopback: the
 * handler's run function with an injected `now`, over a table of its own so that moving the
 * clock days ahead touches no other test's domains. Domains are added and verified through the
 * admin handler over the same table; records are published on the loopback DNS server.
 */

import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledChecks } from '../../functions/domain-checker/handler.ts';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import {
  createIdentityProviderRegistry,
  readIdentityProviderRegistry,
} from '../../shared/adapters/cognito/registry.ts';
import { createTxtLookup } from '../../shared/adapters/dns/txt.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createDomainCheckStore } from '../../shared/adapters/dynamodb/domain-check-store.ts';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { createTaskStore } from '../../shared/adapters/dynamodb/task-store.ts';
import { type DomainCheckerDeps, runDomainChecks } from '../../shared/admin/domain-checker.ts';
import {
  DAY_MS,
  DOMAIN_CHECKER_ACTOR,
  HOUR_MS,
  isDue,
} from '../../shared/domains/check-schedule.ts';
import { UnavailableError } from '../../shared/errors.ts';
import type { DomainClaimRecord } from '../../shared/model/writes.ts';
import { runSignIn } from '../../shared/sign-in/run.ts';
import { syncProviderIdentifiers } from '../../shared/sso/sync-identifiers.ts';
import { keys } from '../../shared/table/schema.ts';
import { type AdminApi, adminDeps, inProcessApi, uniqueSlug } from '../support/admin-harness.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;
let dns: TestDnsServer;
let api: AdminApi;
let deps: DomainCheckerDeps;
/** The identity providers this file's admin handler creates (a registry of its own). */
const registry = (() => {
  const file = join(tmpdir(), `provisio-checker-idps-${randomUUID()}.json`);
  return {
    file,
    providers: createIdentityProviderRegistry({ file, clientIds: ['checker-client'] }),
    readAll: () => readIdentityProviderRegistry(file),
  };
})();
const owner = `owner-${randomUUID().slice(0, 8)}@example.test`;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  dns = await startDnsServer();
  api = inProcessApi(
    adminDeps(fx.db, fx.tableName, [dns.address], { identityProviders: registry.providers }),
  );
  deps = checkerDeps([dns.address]);
});
afterAll(async () => {
  await dns?.close();
  await fx?.drop();
  await rm(registry.file, { force: true });
});

/** The checker's production dependencies over this test's table and the given resolvers. */
function checkerDeps(servers: string[]): DomainCheckerDeps {
  return {
    store: createAdminStore(fx.db, fx.tableName),
    checks: createDomainCheckStore(fx.db, fx.tableName),
    lookupTxt: createTxtLookup(servers, { timeoutMs: 500, tries: 1 }),
    newId: () => randomUUID(),
  };
}

async function newOrg() {
  const res = await api.call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('chk') } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function addDomain(orgId: string) {
  const domain = `${uniqueSlug('d')}.example.test`;
  const res = await api.call('POST', `/v1/orgs/${orgId}/domains`, {
    as: owner,
    body: { domain },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { domain, value: res.body.txtRecord.value as string };
}

const claimOf = async (orgId: string, domain: string): Promise<DomainClaimRecord> => {
  const claim = await deps.store.getClaim({ type: 'org', id: orgId }, domain);
  if (!claim) throw new Error(`no claim for ${domain}`);
  return claim;
};

async function domainView(orgId: string, domain: string) {
  const res = await api.call('GET', `/v1/orgs/${orgId}/domains`, {
    as: owner,
    query: { limit: '100' },
  });
  return (res.body.items as { domain: string }[]).find((d) => d.domain === domain) as Record<
    string,
    unknown
  >;
}

async function orgEvents(orgId: string) {
  const res = await api.call('GET', `/v1/orgs/${orgId}/events`, {
    as: owner,
    query: { limit: '100' },
  });
  return res.body.items as { type: string; subject: string; actor: string; details: object }[];
}

async function outboxFor(orgId: string, domain: string) {
  const items: Record<string, unknown>[] = [];
  for (const item of await fx.outbox()) {
    const n = item.notification as { orgId: string; details: { domain?: string } };

    if (n.orgId === orgId && n.details.domain === domain) items.push(item);
  }
  return items.map((i) => i.notification as { type: string; details: Record<string, unknown> });
}

const at = (ms: number) => new Date(Date.now() + ms);

describe('a run of the checker (the handler’s run function, clock injected)', () => {
  it('verifies the pending domains whose record appeared and looks for the others an hour later', async () => {
    const orgId = await newOrg();
    const published = await addDomain(orgId);
    const absent = await addDomain(orgId);
    const wrong = await addDomain(orgId);
    dns.setTxt(published.domain, ['v=spf1 -all', published.value]);
    dns.setTxt(wrong.domain, ['provisio-verification=someone-else']);

    // Not due yet: the first look is an hour after adding.
    const early = await runScheduledChecks(deps, at(30 * 60_000));
    expect(early.checked).toBe(0);

    const now = at(HOUR_MS + 60_000);
    const summary = await runScheduledChecks(deps, now);
    expect(summary.outcomes).toEqual({ verified: 1, 'still-pending': 2 });
    expect(summary.stoppedEarly).toBe(false);

    expect(await domainView(orgId, published.domain)).toMatchObject({
      status: 'verified',
      verifiedAt: now.toISOString(),
      nextCheckAt: new Date(now.getTime() + DAY_MS).toISOString(),
      checkExpired: false,
    });
    // Exactly what the verify route writes: the sign-in's copy, the event and the notification.
    const copy = await fx.db.send(
      new GetCommand({ TableName: fx.tableName, Key: keys.domainVerified(published.domain) }),
    );
    expect(copy.Item).toMatchObject({ scope: { type: 'org', id: orgId }, autoProvisioning: null });
    expect(await orgEvents(orgId)).toContainEqual(
      expect.objectContaining({
        type: 'domain_verified',
        subject: published.domain,
        actor: DOMAIN_CHECKER_ACTOR,
      }),
    );
    expect(await outboxFor(orgId, published.domain)).toEqual([
      expect.objectContaining({ type: 'domain_verified' }),
    ]);

    for (const pendingOne of [absent, wrong]) {
      const claim = await claimOf(orgId, pendingOne.domain);
      expect(claim.status).toBe('pending');
      expect(Date.parse(claim.nextCheckAt!)).toBe(Date.parse(claim.addedAt) + 2 * HOUR_MS);
    }
    // Run again at the same time: nothing is due any more.
    expect((await runScheduledChecks(deps, now)).checked).toBe(0);
  });

  it('stops looking for a pending domain 72 hours after it was added, leaving it pending', async () => {
    const orgId = await newOrg();
    const { domain } = await addDomain(orgId);
    await runScheduledChecks(deps, at(HOUR_MS + 60_000));
    const late = await runScheduledChecks(deps, at(72 * HOUR_MS + 60_000));
    expect(late.outcomes['window-expired']).toBeGreaterThanOrEqual(1);
    expect(await domainView(orgId, domain)).toMatchObject({
      status: 'pending',
      nextCheckAt: null,
      checkExpired: true,
    });
    // It no longer comes up, even when its record appears; verifying by hand still works.
    dns.setTxt(domain, [(await claimOf(orgId, domain)).txtValue]);
    const seen: string[] = [];
    await runDomainChecks(deps, at(100 * HOUR_MS), { onReport: (r) => seen.push(r.domain) });
    expect(seen).not.toContain(domain);
    expect(await domainView(orgId, domain)).toMatchObject({
      status: 'pending',
      checkExpired: true,
    });
    const verified = await api.call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(verified.body).toMatchObject({ status: 'verified', checkExpired: false });
  });

  it('goes through every due claim page by page, a few at a time, each once', async () => {
    const orgId = await newOrg();
    const added = await Promise.all(Array.from({ length: 23 }, () => addDomain(orgId)));
    const seen: string[] = [];
    const summary = await runDomainChecks(deps, at(HOUR_MS + 60_000), {
      pageSize: 5,
      concurrency: 3,
      onReport: (r) => seen.push(r.domain),
    });
    const ours = seen.filter((d) => added.some((a) => a.domain === d));
    expect(ours.sort()).toEqual(added.map((a) => a.domain).sort());
    expect(summary.checked).toBe(seen.length);
    for (const { domain } of added) {
      const claim = await claimOf(orgId, domain);
      expect(Date.parse(claim.nextCheckAt!)).toBe(Date.parse(claim.addedAt) + 2 * HOUR_MS);
    }
  });

  it('stops taking claims when told to, leaving the rest due', async () => {
    const orgId = await newOrg();
    const added = await Promise.all(Array.from({ length: 4 }, () => addDomain(orgId)));
    let asked = 0;
    const now = at(HOUR_MS + 60_000);
    const summary = await runDomainChecks(deps, now, {
      concurrency: 1,
      shouldStop: () => ++asked > 2,
    });
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.checked).toBe(1);
    const claims = await Promise.all(added.map((a) => claimOf(orgId, a.domain)));
    expect(claims.filter((c) => isDue(c, now)).length).toBeGreaterThanOrEqual(3);
  });

  it('reports a domain whose look-up fails and goes on with the others; a DNS failure changes nothing', async () => {
    const orgId = await newOrg();
    const unreachable = await addDomain(orgId);
    const broken = await addDomain(orgId);
    const fine = await addDomain(orgId);
    dns.setTxt(fine.domain, [fine.value]);
    const real = createTxtLookup([dns.address], { timeoutMs: 500, tries: 1 });
    const faulty: DomainCheckerDeps = {
      ...deps,
      lookupTxt: async (name) => {
        if (name === unreachable.domain)
          throw new UnavailableError(`DNS look-up of ${name} failed`);
        if (name === broken.domain) throw new TypeError('a bug');
        return real(name);
      },
    };
    const before = await claimOf(orgId, unreachable.domain);
    const reports: Record<string, string> = {};
    const summary = await runDomainChecks(faulty, at(HOUR_MS + 60_000), {
      onReport: (r) => {
        reports[r.domain] = r.outcome;
      },
    });
    expect(reports[unreachable.domain]).toBe('unavailable');
    expect(reports[broken.domain]).toBe('error');
    expect(reports[fine.domain]).toBe('verified');
    expect(summary.outcomes.error).toBeGreaterThanOrEqual(1);
    // Unchanged, so still due: the next run looks again.
    expect(await claimOf(orgId, unreachable.domain)).toEqual(before);
  });

  it('treats resolvers that do not answer as no answer, even for a verified domain whose record went missing', async () => {
    const orgId = await newOrg();
    const { domain, value } = await addDomain(orgId);
    dns.setTxt(domain, [value]);
    await runScheduledChecks(deps, at(HOUR_MS + 60_000));
    dns.removeTxt(domain);
    const missing = await runScheduledChecks(deps, at(2 * DAY_MS));
    expect(missing.outcomes.missing).toBeGreaterThanOrEqual(1);
    const claim = await claimOf(orgId, domain);
    expect(claim.status).toBe('verified');
    expect(claim.missingSince).not.toBeNull();

    // A port nothing listens on: the look-up is refused, which is not "missing".
    const closed = createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', resolve));
    const port = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = checkerDeps([`127.0.0.1:${port}`]);
    const report: string[] = [];
    await runDomainChecks(down, at(20 * DAY_MS), {
      onReport: (r) => {
        if (r.domain === domain) report.push(r.outcome);
      },
    });
    expect(report).toEqual(['unavailable']);
    expect(await claimOf(orgId, domain)).toEqual(claim);
  });

  it('leaves a pending domain pending when another org verified it first', async () => {
    const [first, second] = [await newOrg(), await newOrg()];
    const domain = `${uniqueSlug('shared')}.example.test`;
    const a = await api.call('POST', `/v1/orgs/${first}/domains`, { as: owner, body: { domain } });
    const b = await api.call('POST', `/v1/orgs/${second}/domains`, { as: owner, body: { domain } });
    dns.setTxt(domain, [a.body.txtRecord.value, b.body.txtRecord.value]);
    expect(
      (await api.call('POST', `/v1/orgs/${first}/domains/${domain}/verify`, { as: owner })).status,
    ).toBe(200);
    const outcomes: string[] = [];
    await runDomainChecks(deps, at(HOUR_MS + 60_000), {
      onReport: (r) => {
        if (r.domain === domain)
          outcomes.push(`${r.scope.id === first ? 'first' : 'second'}:${r.outcome}`);
      },
    });
    expect(outcomes).toEqual(['second:verified-elsewhere']);
    const claim = await claimOf(second, domain);
    expect(claim.status).toBe('pending');
    expect(Date.parse(claim.nextCheckAt!)).toBe(Date.parse(claim.addedAt) + 2 * HOUR_MS);
  });
});

describe('losing verification (clock injected)', () => {
  /** A verified domain of a new org, auto-provisioning on, whose record was then removed. */
  async function verifiedThenRemoved() {
    const orgId = await newOrg();
    const { domain, value } = await addDomain(orgId);
    dns.setTxt(domain, [value]);
    expect(
      (await api.call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, { as: owner })).status,
    ).toBe(200);
    const enabled = await api.call('PUT', `/v1/orgs/${orgId}/domains/${domain}/auto-provisioning`, {
      as: owner,
      body: { enabled: true },
    });
    expect(enabled.status).toBe(200);
    dns.removeTxt(domain);
    return { orgId, domain, value };
  }

  it('turns the domain pending after 7 days missing, in one change with the events and the notification', async () => {
    const { orgId, domain, value } = await verifiedThenRemoved();
    const first = at(DAY_MS + 60_000);
    await runScheduledChecks(deps, first);
    expect(await domainView(orgId, domain)).toMatchObject({
      status: 'verified',
      missingSince: first.toISOString(),
      autoProvisioning: { enabled: true, orgId },
    });
    await runScheduledChecks(deps, new Date(first.getTime() + 6 * DAY_MS));
    expect(await domainView(orgId, domain)).toMatchObject({ status: 'verified' });

    const lost = await runScheduledChecks(deps, new Date(first.getTime() + 7 * DAY_MS));
    expect(lost.outcomes.lost).toBeGreaterThanOrEqual(1);
    expect(await domainView(orgId, domain)).toMatchObject({
      status: 'pending',
      verifiedAt: null,
      autoProvisioning: { enabled: false, orgId: null },
      missingSince: first.toISOString(),
      nextCheckAt: null,
      checkExpired: true,
    });
    const copy = await fx.db.send(
      new GetCommand({ TableName: fx.tableName, Key: keys.domainVerified(domain) }),
    );
    expect(copy.Item).toBeUndefined();
    // Both carry the change's time; their order in the list is by id.
    const events = (await orgEvents(orgId)).filter((e) => e.subject === domain);
    expect(events.find((e) => e.type === 'domain_verification_lost')).toMatchObject({
      actor: DOMAIN_CHECKER_ACTOR,
      details: { missingSince: first.toISOString(), autoProvisioningDisabled: true },
    });
    expect(events.filter((e) => e.type === 'auto_provisioning_disabled')).toEqual([
      expect.objectContaining({
        actor: DOMAIN_CHECKER_ACTOR,
        details: { orgId, reason: 'domain_verification_lost' },
      }),
    ]);
    const told = (await outboxFor(orgId, domain)).filter(
      (n) => n.type === 'domain_verification_lost',
    );
    expect(told).toHaveLength(1);
    expect(told[0]!.details).toEqual({ domain, txtRecordName: domain, txtRecordValue: value });
    // The claim left the schedule: the index holds no check for it.
    const scheduled = await fx.db.send(
      new QueryCommand({
        TableName: fx.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        FilterExpression: '#d = :d',
        ExpressionAttributeNames: { '#d': 'domain' },
        ExpressionAttributeValues: { ':p': 'DOMAINCHECK', ':d': domain },
      }),
    );
    expect(scheduled.Items).toEqual([]);
  });

  it('loses a company’s domain the same way: the company’s events, its owners told', async () => {
    const company = await api.call('POST', '/v1/companies', { as: owner, body: { name: 'Acme' } });
    const companyId = company.body.id as string;
    const orgId = await newOrg();
    const moved = await api.call('POST', `/v1/companies/${companyId}/orgs`, {
      as: owner,
      body: { orgId },
    });
    expect(moved.status).toBe(200);
    const domain = `${uniqueSlug('co')}.example.test`;
    const scope = `companies/${companyId}`;
    const added = await api.call('POST', `/v1/${scope}/domains`, { as: owner, body: { domain } });
    dns.setTxt(domain, [added.body.txtRecord.value]);
    // Verified by the checker this time, at its first hourly look.
    const verifiedAt = at(HOUR_MS + 60_000);
    await runScheduledChecks(deps, verifiedAt);
    const enabled = await api.call('PUT', `/v1/${scope}/domains/${domain}/auto-provisioning`, {
      as: owner,
      body: { enabled: true, orgId },
    });
    expect(enabled.body).toMatchObject({ status: 'verified', autoProvisioning: { orgId } });
    dns.removeTxt(domain);

    const firstMiss = new Date(verifiedAt.getTime() + DAY_MS + 60_000);
    await runScheduledChecks(deps, firstMiss);
    await runScheduledChecks(deps, new Date(firstMiss.getTime() + 7 * DAY_MS));

    const list = await api.call('GET', `/v1/${scope}/domains`, { as: owner });
    expect(list.body.items).toEqual([
      expect.objectContaining({
        domain,
        status: 'pending',
        autoProvisioning: { enabled: false, orgId: null },
        checkExpired: true,
      }),
    ]);
    const events = await api.call('GET', `/v1/${scope}/events`, {
      as: owner,
      query: { limit: '100' },
    });
    const lost = (events.body.items as { type: string; subject: string }[]).filter(
      (e) => e.subject === domain && e.type === 'domain_verification_lost',
    );
    expect(lost).toEqual([expect.objectContaining({ orgId: null, actor: DOMAIN_CHECKER_ACTOR })]);
    const told = (await fx.outbox())
      .map((i) => i.notification as Record<string, unknown>)
      .filter(
        (n) =>
          n.type === 'domain_verification_lost' &&
          (n.details as { domain?: string }).domain === domain,
      );
    expect(told).toEqual([expect.objectContaining({ orgId: '', orgName: 'Acme', companyId })]);
  });

  it('detaches a lost domain from its SSO connection (SPEC §8): its sign-ins are denied, and another org can verify and attach it', async () => {
    const { orgId, domain, value } = await verifiedThenRemoved();
    const created = await api.call('POST', `/v1/orgs/${orgId}/sso-connections`, {
      as: owner,
      body: {
        name: 'Okta',
        idp: { type: 'saml', metadataUrl: 'https://idp.example.test/metadata' },
        domains: [domain],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const providerName: string = created.body.providerName;
    const signIn = () =>
      runSignIn(
        {
          email: `ada-${uniqueSlug('u')}@${domain}`,
          domain,
          emailVerified: true,
          name: undefined,
          connection: providerName,
          groups: [],
        },
        createSignInStore(fx.db, fx.tableName),
        { entry: 'hook' },
      );
    expect((await signIn()).kind).toBe('allow');

    const first = at(DAY_MS + 60_000);
    await runScheduledChecks(deps, first);
    await runScheduledChecks(deps, new Date(first.getTime() + 7 * DAY_MS));
    expect(await domainView(orgId, domain)).toMatchObject({
      status: 'pending',
      ssoConnectionId: null,
    });
    const connections = await api.call('GET', `/v1/orgs/${orgId}/sso-connections`, { as: owner });
    expect(connections.body.items).toEqual([
      expect.objectContaining({ id: created.body.id, domains: [], active: false }),
    ]);
    // The old connection's sign-ins for the domain are denied.
    expect(await signIn()).toMatchObject({ kind: 'deny', title: 'Access denied' });
    const events = await orgEvents(orgId);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'sso_connection_updated',
        subject: created.body.id,
        actor: DOMAIN_CHECKER_ACTOR,
        details: expect.objectContaining({ reason: 'domain_verification_lost', active: false }),
      }),
    );
    // The owners are told, and the provider's identifiers are synced by the stream worker.
    expect((await outboxFor(orgId, domain)).map((n) => n.type)).toContain('sso_domain_detached');
    const tasks = await scanAll(fx.db, {
      TableName: fx.tableName,
      FilterExpression: 'attribute_exists(task)',
      ConsistentRead: true,
    });
    expect(tasks.map((t) => t.task)).toContainEqual({
      type: 'syncProviderIdentifiers',
      providerName,
    });
    // The stream worker's task (no stream on this table: run it as the worker would).
    expect((await registry.readAll()).providers[providerName]?.identifiers).toEqual([domain]);
    await syncProviderIdentifiers(providerName, {
      providerDomains: createTaskStore(fx.db, fx.tableName).providerDomains,
      identityProviders: registry.providers,
    });
    expect((await registry.readAll()).providers[providerName]?.identifiers).toEqual([]);

    // Another org proves the domain and attaches it to its own connection.
    const otherId = await newOrg();
    const again = await api.call('POST', `/v1/orgs/${otherId}/domains`, {
      as: owner,
      body: { domain },
    });
    expect(again.status).toBe(201);
    dns.setTxt(domain, [again.body.txtRecord.value]);
    expect(value).not.toBe(again.body.txtRecord.value);
    const verified = await api.call('POST', `/v1/orgs/${otherId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const theirs = await api.call('POST', `/v1/orgs/${otherId}/sso-connections`, {
      as: owner,
      body: {
        name: 'Entra',
        idp: { type: 'saml', metadataUrl: 'https://other.example.test/metadata' },
        domains: [domain],
      },
    });
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(201);
    dns.removeTxt(domain);
  });

  it('keeps the domain verified when its record comes back within the 7 days', async () => {
    const { orgId, domain, value } = await verifiedThenRemoved();
    const first = at(DAY_MS + 60_000);
    await runScheduledChecks(deps, first);
    dns.setTxt(domain, [value]);
    await runScheduledChecks(deps, new Date(first.getTime() + 6 * DAY_MS));
    await runScheduledChecks(deps, new Date(first.getTime() + 8 * DAY_MS));
    expect(await domainView(orgId, domain)).toMatchObject({
      status: 'verified',
      missingSince: null,
      autoProvisioning: { enabled: true, orgId },
    });
  });

  it('does not verify a domain removed and added again during a check with the old record', async () => {
    const orgId = await newOrg();
    const { domain, value: oldValue } = await addDomain(orgId);
    dns.setTxt(domain, [oldValue]);
    let reads = 0;
    let newValue = '';
    const racing: DomainCheckerDeps = {
      ...deps,
      store: {
        ...deps.store,
        async getClaim(scope, d) {
          const claim = await deps.store.getClaim(scope, d);
          if (d === domain && ++reads === 1) {
            // Right after the checker read the claim: removed and added again, with a new token.
            expect(
              (await api.call('DELETE', `/v1/orgs/${orgId}/domains/${domain}`, { as: owner }))
                .status,
            ).toBe(204);
            const again = await api.call('POST', `/v1/orgs/${orgId}/domains`, {
              as: owner,
              body: { domain },
            });
            expect(again.status).toBe(201);
            newValue = again.body.txtRecord.value;
          }
          return claim;
        },
      },
    };
    await runDomainChecks(racing, at(2 * 60 * 60_000));
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(newValue).not.toBe(oldValue);
    // The published record holds the old token: the new claim must stay pending.
    expect(await domainView(orgId, domain)).toMatchObject({ status: 'pending' });
  });

  it('loses no admin change made while a check runs: it reads again and decides on the new state', async () => {
    const { orgId, domain } = await verifiedThenRemoved();
    const first = at(DAY_MS + 60_000);
    await runScheduledChecks(deps, first);
    // The admin turns auto-provisioning off right after the checker has read the claim.
    let reads = 0;
    const racing: DomainCheckerDeps = {
      ...deps,
      store: {
        ...deps.store,
        async getClaim(scope, d) {
          const claim = await deps.store.getClaim(scope, d);
          if (d === domain && ++reads === 1) {
            const off = await api.call(
              'PUT',
              `/v1/orgs/${orgId}/domains/${domain}/auto-provisioning`,
              { as: owner, body: { enabled: false } },
            );
            expect(off.status).toBe(200);
          }
          return claim;
        },
      },
    };
    const outcomes: string[] = [];
    await runDomainChecks(racing, new Date(first.getTime() + 7 * DAY_MS), {
      onReport: (r) => {
        if (r.domain === domain) outcomes.push(r.outcome);
      },
    });
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(outcomes).toEqual(['lost']);
    const events = (await orgEvents(orgId)).filter((e) => e.subject === domain);
    // The admin's change is kept; the checker, reading again, had nothing to turn off.
    expect(events.slice(0, 2).map((e) => [e.type, e.actor])).toEqual([
      ['domain_verification_lost', DOMAIN_CHECKER_ACTOR],
      ['auto_provisioning_disabled', owner],
    ]);
    expect(events[0]!.details).toMatchObject({ autoProvisioningDisabled: false });
  });
});
