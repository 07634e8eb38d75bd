/**
 * The setup admin API test files share. Call one of these once, at a file's top level (or in a
 * `describe`): it registers that scope's `beforeAll`/`afterAll` and returns what the tests use,
 * safe to destructure at once — the values are fixed up front, and what only exists once the
 * hooks have run (the in-process API, the DNS server) is reached through functions.
 *
 * - `adminStackWithDns`: the local stack's admin API over HTTP (`adminStackEnv`), and the admin
 *   handler in this process resolving through a DNS server on loopback that the test publishes
 *   TXT records on (the stack's own handlers resolve elsewhere: `stackDns()`);
 * - `adminSuite`: that, plus two signed-in people, `owner` and `stranger` (another tenant), and
 *   the orgs, companies and domains most tests start from.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { type AdminApi, adminDeps, inProcessApi, uniqueSlug } from './admin-harness.ts';
import { type AdminStackEnv, adminStackEnv, personEmail } from './admin-http.ts';
import { startDnsServer, type TestDnsServer } from './dns-server.ts';

export interface AdminStackWithDns {
  env: AdminStackEnv;
  /** Calls the stack's admin API over HTTP (`env.api.call`). */
  call: AdminApi['call'];
  /** The admin handler in this process: its domain verification resolves through `dns`. */
  local: AdminApi;
  /** The loopback DNS server `local` resolves through. */
  dns: Pick<TestDnsServer, 'setTxt' | 'removeTxt'>;
}

export function adminStackWithDns(): AdminStackWithDns {
  const env = adminStackEnv();
  let started: { server: TestDnsServer; local: AdminApi } | undefined;
  const ready = () => {
    if (!started) throw new Error('the loopback DNS server starts in beforeAll: use it in tests');
    return started;
  };
  beforeAll(async () => {
    const server = await startDnsServer();
    started = { server, local: inProcessApi(adminDeps(env.db, env.tableName, [server.address])) };
  });
  afterAll(async () => {
    await started?.server.close();
  });
  return {
    env,
    call: (...args) => env.api.call(...args),
    local: { call: (...args) => ready().local.call(...args) },
    dns: {
      setTxt: (name, values) => ready().server.setTxt(name, values),
      removeTxt: (name) => ready().server.removeTxt(name),
    },
  };
}

/** An org or a company as the API answers on creation, as far as tests need it. */
export interface Created {
  id: string;
  name: string;
}

export interface AdminSuite extends AdminStackWithDns {
  /** Signed in before the tests run; owns what the helpers below create unless told otherwise. */
  owner: string;
  /** Another signed-in person, of another tenant. */
  stranger: string;
  /** Creates an org (201); `seatLimit` is left out of the request unless given. */
  newOrg(options?: { as?: string; seatLimit?: number | null }): Promise<Created>;
  /** Creates a company with no orgs (201). */
  newCompany(options?: { as?: string; name?: string }): Promise<Created>;
  /** Creates a company and an org, and moves the org into it. */
  newCompanyWithOrg(as?: string): Promise<{ id: string; org: Created }>;
  /** Adds a pending domain at a scope (`orgs/<id>` or `companies/<id>`) (201). */
  addDomain(
    scope: string,
    domain?: string,
    as?: string,
  ): Promise<{ domain: string; txtRecord: { name: string; value: string } }>;
  /** Adds a domain, publishes its TXT record on `dns` and verifies it through `local`. */
  verifiedDomain(scope: string, as?: string): Promise<string>;
  /**
   * A tenant whose owner's own address is on its verified domain, with an SSO connection (a
   * SAML provider Provisio creates) serving that domain: the victim of the trust and
   * enforcement tests.
   */
  ssoTenant(connectionName?: string): Promise<SsoTenant>;
}

export interface SsoTenant {
  /** The org's owner, signed in with a password, on `domain`. */
  boss: string;
  org: Created;
  domain: string;
  connection: { id: string; name: string; providerName: string };
}

/** A domain under `example.test` no other test uses. */
export const uniqueDomain = () => `${uniqueSlug('d')}.example.test`;

export function adminSuite(): AdminSuite {
  const stack = adminStackWithDns();
  const { env, call, local, dns } = stack;
  const owner = personEmail('owner');
  const stranger = personEmail('stranger');
  beforeAll(async () => {
    await Promise.all([env.signInAs(owner), env.signInAs(stranger)]);
  });

  async function newOrg(options: { as?: string; seatLimit?: number | null } = {}) {
    const { as = owner, seatLimit } = options;
    const body = { name: uniqueSlug('org'), ...(seatLimit !== undefined ? { seatLimit } : {}) };
    const res = await call('POST', '/v1/orgs', { as, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Created;
  }

  async function newCompany(options: { as?: string; name?: string } = {}) {
    const { as = owner, name = 'Acme Holdings' } = options;
    const res = await call('POST', '/v1/companies', { as, body: { name } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Created;
  }

  async function newCompanyWithOrg(as = owner) {
    const company = await newCompany({ as });
    const org = await newOrg({ as });
    const moved = await call('POST', `/v1/companies/${company.id}/orgs`, {
      as,
      body: { orgId: org.id },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    return { id: company.id, org };
  }

  async function addDomain(scope: string, domain = uniqueDomain(), as = owner) {
    const res = await call('POST', `/v1/${scope}/domains`, { as, body: { domain } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { domain: string; txtRecord: { name: string; value: string } };
  }

  async function verifiedDomain(scope: string, as = owner) {
    const added = await addDomain(scope, uniqueDomain(), as);
    dns.setTxt(added.txtRecord.name, [added.txtRecord.value]);
    const path = `/v1/${scope}/domains/${encodeURIComponent(added.domain)}/verify`;
    const res = await local.call('POST', path, { as });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return added.domain;
  }

  async function ssoTenant(connectionName = `Acme SSO ${uniqueSlug('c')}`): Promise<SsoTenant> {
    const domain = uniqueDomain();
    const boss = await env.signInAs(`boss-${randomUUID().slice(0, 8)}@${domain}`);
    const org = await newOrg({ as: boss });
    const added = await addDomain(`orgs/${org.id}`, domain, boss);
    dns.setTxt(added.txtRecord.name, [added.txtRecord.value]);
    const path = `/v1/orgs/${org.id}/domains/${encodeURIComponent(domain)}/verify`;
    const verified = await local.call('POST', path, { as: boss });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const created = await call('POST', `/v1/orgs/${org.id}/sso-connections`, {
      as: boss,
      body: {
        name: connectionName,
        domains: [domain],
        idp: { type: 'saml', metadataUrl: 'https://idp.example.test/metadata' },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return {
      boss,
      org,
      domain,
      connection: {
        id: created.body.id,
        name: connectionName,
        providerName: created.body.providerName,
      },
    };
  }

  return {
    ...stack,
    owner,
    stranger,
    newOrg,
    newCompany,
    newCompanyWithOrg,
    addDomain,
    verifiedDomain,
    ssoTenant,
  };
}
