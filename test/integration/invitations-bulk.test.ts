/**
 * SPEC §13 bulk invitations, against DynamoDB Local: the admin handler in this process over a
 * table of this file's own, so that the outbox (one item per mail) and the bulk runs it reads
 * are this file's alone. Mails are counted as outbox items: the notifier sends each exactly once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSeats } from '../../bench/invariants.ts';
import { runScheduledLifecycle } from '../../functions/domain-checker/handler.ts';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createLifecycleStore } from '../../shared/adapters/dynamodb/lifecycle-store.ts';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import type { AdminStore } from '../../shared/model/writes.ts';
import {
  type AdminApi,
  adminDeps,
  expectProblem,
  inProcessApi,
  uniqueSlug,
} from '../support/admin-harness.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;
let api: AdminApi;
let store: AdminStore;
const owner = `owner-${randomUUID().slice(0, 8)}@example.test`;
const stranger = `stranger-${randomUUID().slice(0, 8)}@example.test`;
const BOM = '\uFEFF';

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  api = inProcessApi(adminDeps(fx.db, fx.tableName, []));
  store = createAdminStore(fx.db, fx.tableName);
});
afterAll(async () => {
  await fx?.drop();
});

async function newOrg(seatLimit: number | null, as = owner) {
  const res = await api.call('POST', '/v1/orgs', {
    as,
    body: { name: uniqueSlug('bulk'), seatLimit },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, name: res.body.name as string };
}

const tag = () => randomUUID().slice(0, 8);

const bulkCsv = (
  orgId: string,
  csv: string,
  options: { key?: string; dryRun?: boolean; as?: string } = {},
) =>
  api.call('POST', `/v1/orgs/${orgId}/invitations:bulk`, {
    as: options.as ?? owner,
    rawBody: csv,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      ...(options.key ? { 'idempotency-key': options.key } : {}),
    },
    ...(options.dryRun ? { query: { dryRun: 'true' } } : {}),
  });

const bulkJson = (orgId: string, body: unknown, options: { key?: string; as?: string } = {}) =>
  api.call('POST', `/v1/orgs/${orgId}/invitations:bulk`, {
    as: options.as ?? owner,
    body,
    ...(options.key ? { headers: { 'idempotency-key': options.key } } : {}),
  });

async function seatsUsed(orgId: string) {
  return Number((await fx.orgRecord(orgId))?.seatsUsed);
}

/** Invitation mails (outbox items) per invitee of an org. */
async function mailsPerInvitee(orgId: string) {
  const counts = new Map<string, number>();
  for (const o of await fx.outbox()) {
    const n = o.notification as { type: string; email: string; orgId: string };
    if (n.type === 'invitation' && n.orgId === orgId) {
      counts.set(n.email, (counts.get(n.email) ?? 0) + 1);
    }
  }
  return counts;
}

/** Every invitation item of an org (a scan: the org's invitations, pending or expired). */
async function invitationsOf(orgId: string) {
  return scanAll(fx.db, {
    TableName: fx.tableName,
    FilterExpression: 'entity = :i AND orgId = :o',
    ExpressionAttributeValues: { ':i': 'invitation', ':o': orgId },
    ConsistentRead: true,
  });
}

describe('POST /v1/orgs/{orgId}/invitations:bulk (SPEC §13)', () => {
  it('invites 1,000 CSV rows (BOM, quoted fields) with the exact outcome of each row, mailing each invitee once', async () => {
    const org = await newOrg(2000);
    const t = tag();
    const member = `member-${t}@example.test`;
    await fx.member(member, org);
    const invited = `invited-${t}@example.test`;
    const before = await api.call('POST', `/v1/orgs/${org.id}/invitations`, {
      as: owner,
      body: { email: invited },
    });
    expect(before.status).toBe(201);

    const lines: string[] = [];
    const expected: { row: number; outcome: string; reason?: string; email: string | null }[] = [];
    const row = (line: string, outcome: string, email: string | null, reason?: string) => {
      lines.push(line);
      expected.push({ row: lines.length, outcome, email, ...(reason ? { reason } : {}) });
    };
    row(`"${member}",member,`, 'already_member', member);
    row(`${invited},,`, 'already_invited', invited);
    row(`  "Mixed-${t}@Example.TEST" ,owner,"design"`, 'invited', `mixed-${t}@example.test`);
    row(
      `mixed-${t}@example.test,member,`,
      'duplicate',
      `mixed-${t}@example.test`,
      'the same email as row 3',
    );
    row(
      `"comma-${t}@example.test",member,"design,ops"`,
      'invalid',
      `comma-${t}@example.test`,
      "team: must be a slug: 2–39 characters a-z, 0-9 and '-'",
    );
    row(`not-an-email,member,`, 'invalid', null, 'email: is not an email address');
    row(
      `role-${t}@example.test,admin,`,
      'invalid',
      `role-${t}@example.test`,
      'role: must be owner or member',
    );
    row(
      `extra-${t}@example.test,member,team-a,surplus`,
      'invalid',
      `extra-${t}@example.test`,
      'has 4 fields; the header names 3',
    );
    while (lines.length < 1000) {
      const email = `p${lines.length}-${t}@example.test`;
      row(`${email},member,team-a`, 'invited', email);
    }
    const csv = `${BOM}"email","role","team"\r\n${lines.join('\r\n')}\r\n`;
    const seatsBefore = await seatsUsed(org.id);

    const res = await bulkCsv(org.id, csv);
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    const invitedCount = expected.filter((e) => e.outcome === 'invited').length;
    expect(invitedCount).toBe(993);
    expect(res.body.results).toEqual(expected);
    expect(res.body.counts).toEqual({
      invited: 993,
      already_member: 1,
      already_invited: 1,
      duplicate: 1,
      invalid: 4,
    });
    expect(res.body).toMatchObject({ dryRun: false, needed: 993 });

    expect(await seatsUsed(org.id)).toBe(seatsBefore + 993);
    const mails = await mailsPerInvitee(org.id);
    const toNew = expected.filter((e) => e.outcome === 'invited').map((e) => e.email!);
    for (const email of toNew) expect(mails.get(email), email).toBe(1);
    expect(mails.get(invited)).toBe(1); // its own invitation only
    expect(mails.has(member)).toBe(false);
    expect(await invitationsOf(org.id)).toHaveLength(994);
    const mixed = (await invitationsOf(org.id)).find((i) => i.email === `mixed-${t}@example.test`);
    expect(mixed).toMatchObject({ role: 'owner', team: 'design' });
    const events = await fx.events(org.id);
    expect(events.filter((e) => e.type === 'invitation_created')).toHaveLength(994);
    // The run is kept for its key, done; the invitees can accept (the summary mirrors them).
    const person = await fx.person(toNew[10]!);
    expect(person.invitations.map((i) => i.orgId)).toEqual([org.id]);
    // Every chunk kept the seat counter and each invitee's summary with the items.
    expect((await auditSeats(fx.db, fx.tableName, [org.id])).problems).toEqual([]);
  }, 240_000);

  it('takes JSON rows as well, each checked on its own', async () => {
    const org = await newOrg(null);
    const t = tag();
    const res = await bulkJson(org.id, {
      invitations: [
        { email: `a-${t}@example.test`, role: 'owner', team: 'ops' },
        { email: `b-${t}@example.test`, team: null },
        'not a row',
        { email: `c-${t}@example.test`, colour: 'red' },
        { email: 42 },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results).toEqual([
      { row: 1, email: `a-${t}@example.test`, outcome: 'invited' },
      { row: 2, email: `b-${t}@example.test`, outcome: 'invited' },
      { row: 3, email: null, outcome: 'invalid', reason: 'is not an object' },
      {
        row: 4,
        email: `c-${t}@example.test`,
        outcome: 'invalid',
        reason: 'colour: is not a field of a row',
      },
      { row: 5, email: null, outcome: 'invalid', reason: 'email: is not an email address' },
    ]);
    expect(await invitationsOf(org.id)).toHaveLength(2);
  });

  it('a dry run answers the outcomes and seats and writes nothing', async () => {
    const org = await newOrg(3);
    const t = tag();
    const csv = `email\na-${t}@example.test\nb-${t}@example.test\nb-${t}@example.test\n`;
    const res = await bulkCsv(org.id, csv, { dryRun: true, key: `dry-${t}` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, needed: 2, available: 2 });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'invited',
      'invited',
      'duplicate',
    ]);
    expect(await seatsUsed(org.id)).toBe(1);
    expect(await invitationsOf(org.id)).toEqual([]);
    expect(await mailsPerInvitee(org.id)).toEqual(new Map());
    expect(await store.getBulkRun(org.id, `dry-${t}`)).toBeUndefined();
    // More than the seats: still a preview, saying so.
    const over = await bulkCsv(
      org.id,
      `email\n${[1, 2, 3].map((i) => `o${i}-${t}@example.test`).join('\n')}\n`,
      { dryRun: true },
    );
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({ needed: 3, available: 2 });
    expect(await invitationsOf(org.id)).toEqual([]);
  });

  it('the same Idempotency-Key answers the first result and mails nobody again', async () => {
    const org = await newOrg(null);
    const t = tag();
    const key = `key-${t}`;
    const csv = `email,role\na-${t}@example.test,member\nb-${t}@example.test,owner\n`;
    const first = await bulkCsv(org.id, csv, { key });
    expect(first.status).toBe(200);
    expect(first.body.counts.invited).toBe(2);
    const again = await bulkCsv(org.id, csv, { key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const mails = await mailsPerInvitee(org.id);
    expect([...mails.values()]).toEqual([1, 1]);
    expect(await seatsUsed(org.id)).toBe(3);
    // Another key re-reads the state: both invited already, nobody mailed.
    const other = await bulkCsv(org.id, csv, { key: `other-${t}` });
    expect(other.body.counts).toMatchObject({ invited: 0, already_invited: 2 });
    expect([...(await mailsPerInvitee(org.id)).values()]).toEqual([1, 1]);
  });

  it('concurrent requests with one key invite and mail each person once', async () => {
    const org = await newOrg(100);
    const t = tag();
    const key = `race-${t}`;
    const csv = `email\n${Array.from({ length: 40 }, (_, i) => `r${i}-${t}@example.test`).join('\n')}\n`;
    const answers = await Promise.all([1, 2, 3].map(() => bulkCsv(org.id, csv, { key })));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) expect([200, 409]).toContain(a.status);
    for (const a of ok) expect(a.body.counts.invited).toBe(40);
    const mails = await mailsPerInvitee(org.id);
    expect(mails.size).toBe(40);
    expect([...mails.values()].every((n) => n === 1)).toBe(true);
    expect(await seatsUsed(org.id)).toBe(41);
    // Once finished, every repeat answers the first result.
    const later = await bulkCsv(org.id, csv, { key });
    expect(later.status).toBe(200);
    expect(later.body.counts.invited).toBe(40);
  });

  it('more new invitations than free seats is 409 {needed, available} and writes nothing', async () => {
    const org = await newOrg(4);
    const t = tag();
    const csv = `email\n${Array.from({ length: 5 }, (_, i) => `s${i}-${t}@example.test`).join('\n')}\n`;
    const res = await bulkCsv(org.id, csv, { key: `seats-${t}` });
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ needed: 5, available: 3 });
    expect(await seatsUsed(org.id)).toBe(1);
    expect(await invitationsOf(org.id)).toEqual([]);
    expect(await mailsPerInvitee(org.id)).toEqual(new Map());
    expect(await fx.events(org.id)).toEqual([expect.objectContaining({ type: 'member_added' })]);
    // Not kept under the key: once seats are free, the same key runs.
    const fewer = `email\n${Array.from({ length: 3 }, (_, i) => `s${i}-${t}@example.test`).join('\n')}\n`;
    const retry = await bulkCsv(org.id, fewer, { key: `seats-${t}` });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(await seatsUsed(org.id)).toBe(4);
  });

  it('refuses unreadable bodies: over 1,000 rows, a bad header, malformed CSV, another media type, too many bytes', async () => {
    const org = await newOrg(null);
    const rows = Array.from({ length: 1001 }, (_, i) => `x${i}@example.test`);
    expectProblem(await bulkCsv(org.id, `email\n${rows.join('\n')}\n`), 400, 'invitations');
    expectProblem(
      await bulkJson(org.id, { invitations: rows.map((email) => ({ email })) }),
      400,
      'invitations',
    );
    expectProblem(await bulkCsv(org.id, 'mail,role\nx@example.test,member\n'), 400, 'header');
    expectProblem(await bulkCsv(org.id, 'email\n"x@example.test\n'), 400, 'body');
    expectProblem(await bulkCsv(org.id, 'email\n'), 400, 'invitations');
    expectProblem(await bulkJson(org.id, { invitations: 'x' }), 400, 'invitations');
    expectProblem(await bulkJson(org.id, { invitations: [], extra: 1 }), 400, 'extra');
    expectProblem(
      await api.call('POST', `/v1/orgs/${org.id}/invitations:bulk`, {
        as: owner,
        rawBody: 'email\nx@example.test\n',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    );
    expectProblem(await bulkCsv(org.id, `email\n${'x'.repeat(1024 * 1024)}\n`), 413);
    expectProblem(
      await bulkCsv(org.id, 'email\nx@example.test\n', { key: 'bad key' }),
      400,
      'Idempotency-Key',
    );
    expectProblem(
      await api.call('POST', `/v1/orgs/${org.id}/invitations:bulk`, {
        as: owner,
        rawBody: 'email\nx@example.test\n',
        headers: { 'content-type': 'text/csv' },
        query: { dryRun: 'yes' },
      }),
      400,
      'dryRun',
    );
    expect(await invitationsOf(org.id)).toEqual([]);
  });

  it('answers 404 across tenants and to a non-owner, before reading the body', async () => {
    const org = await newOrg(null);
    await newOrg(null, stranger);
    const csv = 'email\nsomeone@example.test\n';
    expectProblem(await bulkCsv(org.id, csv, { as: stranger }), 404);
    const member = `member-${tag()}@example.test`;
    await fx.member(member, org);
    expectProblem(await bulkCsv(org.id, csv, { as: member }), 404);
    expectProblem(await bulkCsv(org.id, 'not csv "', { as: stranger }), 404);
    expect(await invitationsOf(org.id)).toEqual([]);
  });

  it('a chunk refused by a change since the read is written row by row: that row already_invited, its seat given back', async () => {
    const org = await newOrg(30);
    const t = tag();
    const taken = `taken-${t}@example.test`;
    // Invited after the bulk request read the rows: its read is stale, as under a race.
    expect(
      (
        await api.call('POST', `/v1/orgs/${org.id}/invitations`, {
          as: owner,
          body: { email: taken },
        })
      ).status,
    ).toBe(201);
    const stale: AdminStore = {
      ...store,
      async getInvitees(orgId, emails) {
        const found = await store.getInvitees(orgId, emails);
        found.set(taken, { member: false, invitation: undefined });
        return found;
      },
    };
    const racing = inProcessApi(adminDeps(fx.db, fx.tableName, [], { store: stale }));
    const emails = Array.from({ length: 20 }, (_, i) => `c${i}-${t}@example.test`);
    emails.splice(3, 0, taken);
    const res = await racing.call('POST', `/v1/orgs/${org.id}/invitations:bulk`, {
      as: owner,
      rawBody: `email\n${emails.join('\n')}\n`,
      headers: { 'content-type': 'text/csv', 'idempotency-key': `race-${t}` },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results[3]).toEqual({ row: 4, email: taken, outcome: 'already_invited' });
    expect(res.body.counts).toMatchObject({ invited: 20, already_invited: 1 });
    // 1 owner + the single invitation + 20: the seat reserved for the refused row came back.
    expect(await seatsUsed(org.id)).toBe(22);
    expect((await mailsPerInvitee(org.id)).get(taken)).toBe(1);
    expect(await store.getBulkRun(org.id, `race-${t}`)).toMatchObject({
      status: 'done',
      reserved: 21,
      written: 20,
    });
    expect((await auditSeats(fx.db, fx.tableName, [org.id])).problems).toEqual([]);
  });

  it('a run cut short gives back the seats it reserved and did not use (the scheduled run, 15 minutes on)', async () => {
    const org = await newOrg(10);
    const key = `cut-${tag()}`;
    const startedAt = new Date().toISOString();
    // What a run leaves when its function stops between its chunks: 6 reserved, 2 written.
    await store.apply([
      {
        kind: 'startBulkRun',
        run: {
          orgId: org.id,
          key,
          status: 'in-progress',
          reserved: 6,
          written: 0,
          startedAt,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      },
      { kind: 'reserveSeats', orgId: org.id, count: 6, seatLimit: 10 },
    ]);
    await store.apply([{ kind: 'bulkRunProgress', orgId: org.id, key, count: 2 }]);
    expect(await seatsUsed(org.id)).toBe(7);
    const deps = {
      store,
      lifecycle: createLifecycleStore(fx.db, fx.tableName),
      newId: () => randomUUID(),
    };
    // Still possibly running: left alone.
    await runScheduledLifecycle(deps, new Date(Date.now() + 5 * 60_000));
    expect(await seatsUsed(org.id)).toBe(7);
    const summary = await runScheduledLifecycle(deps, new Date(Date.now() + 16 * 60_000));
    expect(summary.outcomes.released).toBeGreaterThanOrEqual(1);
    expect(await seatsUsed(org.id)).toBe(3);
    expect(await store.getBulkRun(org.id, key)).toMatchObject({ status: 'failed', written: 2 });
    // A retry under the same key runs again.
    const retry = await bulkCsv(org.id, 'email\nretry@example.test\n', { key });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.counts.invited).toBe(1);
  });
});
