/**
 * SPEC §13 invitation expiry and resend, against DynamoDB Local with an injected clock: the admin
 * handler in this process (its `now` is the test's clock), the scheduled run's lifecycle job
 * (`runScheduledLifecycle`, as the handler runs it, at the test's time) and the sign-in over a
 * table of this file's own, so that moving the clock days ahead touches no other test's
 * invitations.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditSeats } from '../../bench/invariants.ts';
import { runScheduledLifecycle } from '../../functions/domain-checker/handler.ts';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import { createAdminStore } from '../../shared/adapters/dynamodb/admin-store.ts';
import { createLifecycleStore } from '../../shared/adapters/dynamodb/lifecycle-store.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { LIFECYCLE_ACTOR, type LifecycleDeps } from '../../shared/admin/invitation-lifecycle.ts';
import { processSignIn } from '../../shared/sign-in/process.ts';
import {
  type AdminApi,
  adminDeps,
  expectProblem,
  inProcessApi,
  uniqueSlug,
} from '../support/admin-harness.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let fx: SignInFixture;
let api: AdminApi;
let lifecycle: LifecycleDeps;
/** The clock the admin handler reads; each test starts at the real time. */
let clock = new Date();
const owner = `owner-${randomUUID().slice(0, 8)}@example.test`;
const stranger = `stranger-${randomUUID().slice(0, 8)}@example.test`;
const enc = encodeURIComponent;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  api = inProcessApi(adminDeps(fx.db, fx.tableName, [], { now: () => clock }));
  lifecycle = {
    store: createAdminStore(fx.db, fx.tableName),
    lifecycle: createLifecycleStore(fx.db, fx.tableName),
    newId: () => randomUUID(),
  };
});
afterAll(async () => {
  await fx?.drop();
});
beforeEach(() => {
  clock = new Date();
});

/** Moves the test's clock `ms` from the real time. */
const moveTo = (ms: number) => {
  clock = new Date(Date.now() + ms);
  return clock;
};

async function newOrg(seatLimit: number | null, as = owner) {
  const res = await api.call('POST', '/v1/orgs', {
    as,
    body: { name: uniqueSlug('inv'), seatLimit },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const invitee = () => `invitee-${randomUUID().slice(0, 8)}@example.test`;

async function invite(orgId: string, email: string, extra: Record<string, unknown> = {}) {
  const res = await api.call('POST', `/v1/orgs/${orgId}/invitations`, {
    as: owner,
    body: { email, ...extra },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { status: string; expiresAt: string; sentAt: string };
}

async function seatsUsed(orgId: string) {
  const res = await api.call('GET', `/v1/orgs/${orgId}`, { as: owner });
  return res.body.seatsUsed as number;
}

async function listed(orgId: string, email: string) {
  const res = await api.call('GET', `/v1/orgs/${orgId}/invitations`, {
    as: owner,
    query: { limit: '100' },
  });
  expect(res.status).toBe(200);
  return (res.body.items as { email: string; status: string; expiresAt: string }[]).find(
    (i) => i.email === email,
  );
}

const resend = (orgId: string, email: string, as = owner) =>
  api.call('POST', `/v1/orgs/${orgId}/invitations/${enc(email)}/resend`, { as });

/** The scheduled run's lifecycle job at the test's clock. */
const runAt = (at: Date) => runScheduledLifecycle(lifecycle, at);

/** A verified password sign-in of `email` at `now` (SPEC §3.5.0 accepts invitations). */
const signIn = (email: string, now = new Date()) =>
  processSignIn(
    {
      email,
      domain: email.split('@')[1]!,
      emailVerified: true,
      name: undefined,
      connection: undefined,
      groups: [],
    },
    createSignInStore(fx.db, fx.tableName),
    { now: () => now },
  );

async function mailsTo(email: string) {
  return (await fx.outbox()).filter((o) => {
    const n = o.notification as { type: string; email: string };
    return n.type === 'invitation' && n.email === email;
  });
}

describe('expiry (SPEC §13)', () => {
  it('an invitation of expiresInDays 1 is expired by the scheduled run once the clock passes it, frees its seat and is never accepted', async () => {
    const orgId = await newOrg(3);
    const email = invitee();
    const created = await invite(orgId, email, { expiresInDays: 1 });
    expect(created.status).toBe('pending');
    expect(Date.parse(created.expiresAt) - Date.parse(created.sentAt)).toBe(DAY);
    expect(await seatsUsed(orgId)).toBe(2);

    // Not yet due: nothing changes.
    await runAt(moveTo(DAY - MINUTE));
    expect(await seatsUsed(orgId)).toBe(2);
    expect((await listed(orgId, email))?.status).toBe('pending');

    // Past its expiry but before the run: listed expired, refused at sign-in, seat still held.
    const past = new Date(Date.parse(created.expiresAt) + MINUTE);
    clock = past;
    expect((await listed(orgId, email))?.status).toBe('expired');
    const early = await signIn(email, past);
    expect(early.joins.map((j) => j.orgId)).not.toContain(orgId);
    expect(await seatsUsed(orgId)).toBe(2);

    // The run expires it in one transaction: event, seat freed.
    const summary = await runAt(past);
    expect(summary.outcomes.expired).toBeGreaterThanOrEqual(1);
    expect(await seatsUsed(orgId)).toBe(1);
    expect(await listed(orgId, email)).toMatchObject({ status: 'expired' });
    const events = await fx.events(orgId);
    expect(events.filter((e) => e.type === 'invitation_expired')).toEqual([
      expect.objectContaining({ subject: email, actor: LIFECYCLE_ACTOR }),
    ]);

    // A later sign-in (at the real time, before expiresAt) does not accept it either.
    const later = await signIn(email);
    expect(later.joins.map((j) => j.orgId)).not.toContain(orgId);
    expect(await fx.members(orgId)).not.toContainEqual(expect.objectContaining({ email }));

    // A second run changes nothing; 30 days on it is deleted.
    await runAt(new Date(past.getTime() + HOUR));
    expect(await seatsUsed(orgId)).toBe(1);
    await runAt(new Date(Date.parse(created.expiresAt) + 30 * DAY + MINUTE));
    clock = new Date(Date.parse(created.expiresAt) + 30 * DAY + MINUTE);
    expect(await listed(orgId, email)).toBeUndefined();
    expect(await seatsUsed(orgId)).toBe(1);
  });

  it('an invitation not yet expired is accepted at sign-in, using its seat', async () => {
    const orgId = await newOrg(2);
    const email = invitee();
    await invite(orgId, email, { expiresInDays: 1 });
    const plan = await signIn(email);
    expect(plan.joins.map((j) => j.orgId)).toContain(orgId);
    expect(await seatsUsed(orgId)).toBe(2);
    // Accepted: nothing left for the run.
    await runAt(moveTo(2 * DAY));
    expect(await seatsUsed(orgId)).toBe(2);
  });

  it('lists status and expiresAt; the default is 14 days', async () => {
    const orgId = await newOrg(null);
    const email = invitee();
    const created = await invite(orgId, email);
    expect(Date.parse(created.expiresAt) - Date.parse(created.sentAt)).toBe(14 * DAY);
    expect(await listed(orgId, email)).toMatchObject({
      status: 'pending',
      expiresAt: created.expiresAt,
    });
  });

  it.each([0, 91, 1.5, '3', null])('expiresInDays %s is 400 naming the field', async (days) => {
    const orgId = await newOrg(null);
    expectProblem(
      await api.call('POST', `/v1/orgs/${orgId}/invitations`, {
        as: owner,
        body: { email: invitee(), expiresInDays: days },
      }),
      400,
      'expiresInDays',
    );
  });
});

describe('resend (SPEC §13)', () => {
  it('mails again and restarts the expiry, at most once per 10 minutes (429 with Retry-After)', async () => {
    const orgId = await newOrg(null);
    const email = invitee();
    const created = await invite(orgId, email, { expiresInDays: 2 });
    expect(await mailsTo(email)).toHaveLength(1);

    const tooSoon = await resend(orgId, email);
    expectProblem(tooSoon, 429);
    const retryAfter = Number(tooSoon.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(tooSoon.body.retryAfter).toBe(retryAfter);

    const at = moveTo(11 * MINUTE);
    const ok = await resend(orgId, email);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ email, status: 'pending', sentAt: at.toISOString() });
    expect(Date.parse(ok.body.expiresAt)).toBe(at.getTime() + 14 * DAY);
    expect(Date.parse(ok.body.expiresAt)).toBeGreaterThan(Date.parse(created.expiresAt));
    expect(await mailsTo(email)).toHaveLength(2);

    // Twice within 10 minutes of the resend.
    moveTo(15 * MINUTE);
    const again = await resend(orgId, email);
    expectProblem(again, 429);
    expect(Number(again.headers['retry-after'])).toBe(6 * 60);
    expect(await mailsTo(email)).toHaveLength(2);
    const events = await fx.events(orgId);
    expect(events.filter((e) => e.type === 'invitation_resent')).toHaveLength(1);
  });

  it('revives an expired invitation when a seat is free, taking it again', async () => {
    const orgId = await newOrg(2);
    const email = invitee();
    const created = await invite(orgId, email, { expiresInDays: 1 });
    const past = new Date(Date.parse(created.expiresAt) + MINUTE);
    await runAt(past);
    expect(await seatsUsed(orgId)).toBe(1);

    clock = past;
    const revived = await resend(orgId, email);
    expect(revived.status, JSON.stringify(revived.body)).toBe(200);
    expect(revived.body.status).toBe('pending');
    expect(await seatsUsed(orgId)).toBe(2);
    expect(await listed(orgId, email)).toMatchObject({ status: 'pending' });
    // Accepted at a sign-in now, and not expired by a run before its new expiry.
    await runAt(new Date(past.getTime() + DAY));
    expect(await seatsUsed(orgId)).toBe(2);
    const plan = await signIn(email, new Date(past.getTime() + DAY));
    expect(plan.joins.map((j) => j.orgId)).toContain(orgId);
  });

  it('refuses to revive an expired invitation without a free seat (409), changing nothing', async () => {
    const orgId = await newOrg(2);
    const email = invitee();
    const created = await invite(orgId, email, { expiresInDays: 1 });
    const past = new Date(Date.parse(created.expiresAt) + MINUTE);
    await runAt(past);
    clock = past;
    await invite(orgId, invitee());
    expect(await seatsUsed(orgId)).toBe(2);

    expectProblem(await resend(orgId, email), 409);
    expect(await seatsUsed(orgId)).toBe(2);
    expect(await listed(orgId, email)).toMatchObject({ status: 'expired' });
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('an invitation past its expiry that still holds its seat keeps it when resent', async () => {
    const orgId = await newOrg(2);
    const email = invitee();
    const created = await invite(orgId, email, { expiresInDays: 1 });
    clock = new Date(Date.parse(created.expiresAt) + MINUTE);
    const res = await resend(orgId, email);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await seatsUsed(orgId)).toBe(2);
    // The run finds it renewed: nothing to expire.
    await runAt(clock);
    expect(await seatsUsed(orgId)).toBe(2);
    expect(await listed(orgId, email)).toMatchObject({ status: 'pending' });
  });

  it('answers 404 for an unknown invitation, across tenants and to a non-owner', async () => {
    const orgId = await newOrg(null);
    const email = invitee();
    await invite(orgId, email);
    expectProblem(await resend(orgId, invitee()), 404);
    // Another org's owner, and a member who owns nothing here.
    await newOrg(null, stranger);
    expectProblem(await resend(orgId, email, stranger), 404);
    const member = invitee();
    await fx.member(member, { id: orgId, name: 'x' });
    expectProblem(await resend(orgId, email, member), 404);
    expectProblem(await resend(orgId, 'not an email'), 400, 'email');
  });

  it('revoking an expired invitation frees no seat twice', async () => {
    const orgId = await newOrg(3);
    const email = invitee();
    const created = await invite(orgId, email, { expiresInDays: 1 });
    await runAt(new Date(Date.parse(created.expiresAt) + MINUTE));
    expect(await seatsUsed(orgId)).toBe(1);
    const res = await api.call('DELETE', `/v1/orgs/${orgId}/invitations/${enc(email)}`, {
      as: owner,
    });
    expect(res.status).toBe(204);
    expect(await seatsUsed(orgId)).toBe(1);
    expect(await listed(orgId, email)).toBeUndefined();
  });
});

describe('the counters after all of the above', () => {
  it('every org counts its members and the invitations holding a seat; every summary mirrors its items', async () => {
    const audit = await auditSeats(fx.db, fx.tableName);
    expect(audit.orgs.length).toBeGreaterThan(5);
    expect(audit.problems).toEqual([]);
  });
});
