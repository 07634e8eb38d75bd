/**
 * SPEC §13 domain audit, against the local stack: accounts are made by real sign-ins (the HTTP
 * hook and cognito-local's trigger), orgs, domains and invitations through the admin API, and
 * the audit is read over the stack's HTTP API with real tokens (the in-process handler only
 * verifies domains, through the tests' loopback DNS server).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { processSignIn } from '../../shared/sign-in/process.ts';
import { keys } from '../../shared/table/schema.ts';
import { expectProblem } from '../support/admin-harness.ts';
import { adminSuite, type Created, uniqueDomain } from '../support/admin-suite.ts';
import { hookSignIn } from '../support/local-stack.ts';

const suite = adminSuite();
const { env, call, owner, stranger, newOrg, newCompanyWithOrg, verifiedDomain, addDomain } = suite;

const tag = () => randomUUID().slice(0, 6);

/** A trusted sign-in through the HTTP hook: creates the account (method `hook`). */
async function hookAccount(email: string, name: string, extra: Record<string, unknown> = {}) {
  const res = await hookSignIn({ email, emailVerified: true, name, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return email;
}

async function invite(orgId: string, email: string) {
  const res = await call('POST', `/v1/orgs/${orgId}/invitations`, { as: owner, body: { email } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Every row of a scope's audit, following cursors with `limit`. */
async function allRows(scope: string, limit = 100, as = owner) {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await call('GET', `/v1/${scope}/domain-audit`, {
      as,
      query: { limit: String(limit), ...(cursor ? { cursor } : {}) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    rows.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { rows, pages };
}

describe('at company scope', () => {
  let company: { id: string; org: Created };
  let otherOrg: Created;
  let domain: string;
  let seeded: {
    uncaptured: string[];
    invited: string;
    member: string;
    password: string;
    evil: string;
    untrusted: string[];
    otherDomain: string;
    pendingDomain: string;
    strangers: string;
  };

  beforeAll(async () => {
    company = await newCompanyWithOrg();
    otherOrg = await newOrg();
    const moved = await call('POST', `/v1/companies/${company.id}/orgs`, {
      as: owner,
      body: { orgId: otherOrg.id },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    domain = await verifiedDomain(`companies/${company.id}`);
    const pending = (await addDomain(`companies/${company.id}`)).domain;

    // Another tenant, with its own verified domain and accounts on it.
    const strangersOrg = await newOrg({ as: stranger });
    const strangersDomain = await verifiedDomain(`orgs/${strangersOrg.id}`, stranger);

    const t = tag();
    const uncaptured = await Promise.all(
      ['ann', 'bob', 'cy'].map((n) => hookAccount(`${n}-${t}@${domain}`, `Person ${n}`)),
    );
    const invited = await hookAccount(`inv-${t}@${domain}`, 'Invited Person');
    await invite(otherOrg.id, invited);
    // Invited first, then signed in with the verified address: the invitation is accepted.
    const member = `mem-${t}@${domain}`;
    await invite(company.org.id, member);
    await hookAccount(member, 'Member Person');
    const evil = await hookAccount(`evil-${t}@${domain}`, '=HYPERLINK("http://evil.test","x")');
    const password = await env.signInAs(`pw-${t}@${domain}`);

    // Sign-ins §8 does not trust write no account: an unverified address, a provider no
    // connection names.
    const unverified = `unverified-${t}@${domain}`;
    expect((await hookSignIn({ email: unverified, emailVerified: false, name: 'U' })).status).toBe(
      200,
    );
    const rogue = `rogue-${t}@${domain}`;
    await hookSignIn({ email: rogue, emailVerified: true, name: 'R', connection: 'RogueIdp' });

    seeded = {
      uncaptured,
      invited,
      member,
      password,
      evil,
      untrusted: [unverified, rogue],
      otherDomain: await hookAccount(`else-${t}@${uniqueDomain()}`, 'Elsewhere'),
      pendingDomain: await hookAccount(`pend-${t}@${pending}`, 'Pending Domain'),
      strangers: await hookAccount(`str-${t}@${strangersDomain}`, 'Strangers Person'),
    };
  });

  it('lists exactly the uncaptured and invited accounts of its verified domains', async () => {
    const { rows } = await allRows(`companies/${company.id}`);
    const byEmail = new Map(rows.map((r) => [r.email, r]));
    expect([...byEmail.keys()].sort()).toEqual(
      [...seeded.uncaptured, seeded.invited, seeded.evil, seeded.password].sort(),
    );
    expect(byEmail.get(seeded.invited)?.status).toBe('invited');
    for (const e of [...seeded.uncaptured, seeded.evil, seeded.password]) {
      expect(byEmail.get(e)?.status).toBe('uncaptured');
    }
    const today = new Date().toISOString().slice(0, 10);
    expect(byEmail.get(seeded.uncaptured[0]!)).toEqual({
      email: seeded.uncaptured[0],
      username: expect.stringMatching(/^[a-z0-9]{4,30}$/),
      name: 'Person ann',
      lastSignInOn: today,
      lastSignInMethod: 'hook',
      status: 'uncaptured',
    });
    expect(byEmail.get(seeded.password)).toMatchObject({
      lastSignInOn: today,
      lastSignInMethod: 'password',
    });
    // In email order within the domain.
    const emails = rows.map((r) => String(r.email));
    expect(emails).toEqual([...emails].sort());
  });

  it('never lists a member, an untrusted sign-in, another domain or another tenant', async () => {
    const { rows } = await allRows(`companies/${company.id}`);
    const emails = rows.map((r) => r.email);
    for (const e of [
      seeded.member,
      ...seeded.untrusted,
      seeded.otherDomain,
      seeded.pendingDomain,
      seeded.strangers,
    ]) {
      expect(emails).not.toContain(e);
    }
    // The untrusted sign-ins wrote no account at all (SPEC §8).
    for (const e of seeded.untrusted) {
      const account = await env.db.send(
        new GetCommand({ TableName: env.tableName, Key: keys.account(e), ConsistentRead: true }),
      );
      expect(account.Item).toBeUndefined();
    }
  });

  it('pages through every row with a small limit, each page at most the limit', async () => {
    const { rows: whole } = await allRows(`companies/${company.id}`);
    const { rows, pages } = await allRows(`companies/${company.id}`, 2);
    expect(rows).toEqual(whole);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(whole.length / 2));
    const first = await call('GET', `/v1/companies/${company.id}/domain-audit`, {
      as: owner,
      query: { limit: '2' },
    });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it('answers 400 for a bad limit, format or cursor, and a cursor of another audit', async () => {
    const path = `/v1/companies/${company.id}/domain-audit`;
    expectProblem(await call('GET', path, { as: owner, query: { limit: '0' } }), 400, 'limit');
    expectProblem(await call('GET', path, { as: owner, query: { format: 'xml' } }), 400, 'format');
    expectProblem(
      await call('GET', path, { as: owner, query: { cursor: 'not-a-cursor!' } }),
      400,
      'cursor',
    );
    // A cursor for another domain's index (the stranger's) is refused, not followed.
    const forged = Buffer.from(
      JSON.stringify({
        pk: `ACCOUNT#${seeded.strangers}`,
        sk: 'SUMMARY',
        gsi1pk: `EMAILDOMAIN#${seeded.strangers.split('@')[1]}`,
        gsi1sk: seeded.strangers,
      }),
    ).toString('base64url');
    expectProblem(await call('GET', path, { as: owner, query: { cursor: forged } }), 400, 'cursor');
  });

  it('exports CSV: every row, text/csv as an attachment, formula cells neutralised', async () => {
    const res = await call('GET', `/v1/companies/${company.id}/domain-audit`, {
      as: owner,
      query: { format: 'csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="domain-audit-.+\.csv"$/,
    );
    const rows = parse(res.body as string) as string[][];
    expect(rows[0]).toEqual([
      'email',
      'username',
      'name',
      'lastSignInOn',
      'lastSignInMethod',
      'status',
    ]);
    const { rows: json } = await allRows(`companies/${company.id}`);
    expect(rows.slice(1).map((r) => r[0])).toEqual(json.map((r) => r.email));
    const evil = rows.find((r) => r[0] === seeded.evil)!;
    expect(evil[2]).toBe(`'=HYPERLINK("http://evil.test","x")`);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('is 404 to another tenant and to a non-owner, and 401 without a token', async () => {
    expectProblem(
      await call('GET', `/v1/companies/${company.id}/domain-audit`, { as: stranger }),
      404,
    );
    expectProblem(
      await call('GET', `/v1/companies/${company.id}/domain-audit`, {
        as: stranger,
        query: { format: 'csv' },
      }),
      404,
    );
    // A person on the company's domain who owns nothing.
    expectProblem(
      await call('GET', `/v1/companies/${company.id}/domain-audit`, { as: seeded.password }),
      404,
    );
    expect((await call('GET', `/v1/companies/${company.id}/domain-audit`)).status).toBe(401);
  });

  it("answers 409 at an org of the company: the company's audit lists its domains", async () => {
    const res = await call('GET', `/v1/orgs/${company.org.id}/domain-audit`, { as: owner });
    expectProblem(res, 409);
    expect(res.body.detail).toContain(`/v1/companies/${company.id}/domain-audit`);
  });
});

describe('at org scope', () => {
  it('lists the accounts of its verified domain that are not its members; 404 to non-owners', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const t = tag();
    const outsider = await hookAccount(`out-${t}@${domain}`, 'Out Sider');
    const invited = await hookAccount(`inv-${t}@${domain}`, '+1 Invited');
    await invite(org.id, invited);
    const member = `mem-${t}@${domain}`;
    await invite(org.id, member);
    const memberLogin = await env.signInAs(member);
    expect(memberLogin).toBe(member);

    const { rows } = await allRows(`orgs/${org.id}`, 1);
    expect(rows.map((r) => [r.email, r.status])).toEqual(
      [
        [invited, 'invited'],
        [outsider, 'uncaptured'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // A member who is not an owner administers nothing here; another tenant neither.
    expectProblem(await call('GET', `/v1/orgs/${org.id}/domain-audit`, { as: member }), 404);
    expectProblem(await call('GET', `/v1/orgs/${org.id}/domain-audit`, { as: stranger }), 404);

    const csv = await call('GET', `/v1/orgs/${org.id}/domain-audit`, {
      as: owner,
      query: { format: 'csv' },
    });
    const parsed = parse(csv.body as string) as string[][];
    expect(parsed.find((r) => r[0] === invited)?.[2]).toBe("'+1 Invited");
  });

  it('lists nothing for an org without a verified domain', async () => {
    const org = await newOrg();
    await addDomain(`orgs/${org.id}`);
    const res = await call('GET', `/v1/orgs/${org.id}/domain-audit`, { as: owner });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('names a sign-in path never writes (CSV injection through any writer)', () => {
  it('neutralises a tab, a carriage return, @ and - at the start of a stored name', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const store = createAdminStore(env.db, env.tableName);
    const names = ['\t=cmd|calc', '\r=cmd', '@SUM(1+1)', '-1+2'];
    const t = tag();
    const emails = names.map((_, i) => `raw${i}-${t}@${domain}`);
    // Accounts as another writer would store them (sign-ins strip control characters).
    for (const [i, email] of emails.entries()) {
      await store.apply([
        {
          kind: 'putAccount',
          account: {
            email,
            username: `raw${i}${t}`,
            name: names[i]!,
            createdAt: new Date().toISOString(),
          },
        },
        { kind: 'putUsername', username: `raw${i}${t}`, email },
      ]);
    }
    const res = await call('GET', `/v1/orgs/${org.id}/domain-audit`, {
      as: owner,
      query: { format: 'csv' },
    });
    const rows = parse(res.body as string) as string[][];
    const byEmail = new Map(rows.map((r) => [r[0], r]));
    for (const [i, email] of emails.entries()) {
      expect(byEmail.get(email)?.[2]).toBe(`'${names[i]}`);
      // Never signed in since the audit began: no day, no method.
      expect(byEmail.get(email)?.slice(3)).toEqual(['', '', 'uncaptured']);
    }
  });
});

describe('the day of the last sign-in (SPEC §13)', () => {
  it('is written once a day: a second sign-in that day writes nothing, the next day updates it', async () => {
    const org = await newOrg();
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const email = `daily-${tag()}@${domain}`;
    const store = createSignInStore(env.db, env.tableName);
    const signIn = {
      email,
      domain,
      emailVerified: true,
      name: 'Daily Person',
      connection: undefined,
      groups: [],
    };
    const summary = async () =>
      (
        await env.db.send(
          new GetCommand({
            TableName: env.tableName,
            Key: keys.personSummary(email),
            ConsistentRead: true,
          }),
        )
      ).Item!;
    const at = (iso: string) => ({ now: () => new Date(iso) });

    await processSignIn(signIn, store, at('2031-03-01T08:00:00.000Z'));
    const first = await summary();
    expect(first).toMatchObject({
      lastSignInOn: '2031-03-01',
      lastSignInMethod: 'password',
      gsi1pk: `EMAILDOMAIN#${domain}`,
      gsi1sk: email,
    });

    // Later the same day: one read, no write, the summary as it was.
    const before = { ...store.stats };
    await processSignIn(signIn, store, at('2031-03-01T23:59:00.000Z'));
    expect(store.stats.transactions - before.transactions).toBe(0);
    expect(store.stats.requests - before.requests).toBe(1);
    expect(await summary()).toEqual(first);

    // The next day: one write, of the summary alone.
    const nextDay = { ...store.stats };
    await processSignIn(signIn, store, at('2031-03-02T00:00:01.000Z'));
    expect(store.stats.transactions - nextDay.transactions).toBe(1);
    const second = await summary();
    expect(second.lastSignInOn).toBe('2031-03-02');
    expect(second.summaryRev).toBe(first.summaryRev + 1);

    const res = await call('GET', `/v1/orgs/${org.id}/domain-audit`, { as: owner });
    expect(res.body.items).toEqual([
      expect.objectContaining({ email, lastSignInOn: '2031-03-02', lastSignInMethod: 'password' }),
    ]);
  });
});
