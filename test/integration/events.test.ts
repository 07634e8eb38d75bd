/**
 * SPEC §11 order and resumption, against the local stack: every event of an org is numbered in
 * the org (1, 2, 3, … with no gap and no repeat) by the change's own transaction, however many
 * changes race, admin calls and sign-ins alike; company-level events number in the company; the
 * event list reads forward from any number, by type, and refuses bad parameters by name.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { eventItem } from '../../shared/adapters/dynamodb/items.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import {
  type TransactItem,
  TransactionRefused,
  transactWrite,
} from '../../shared/adapters/dynamodb/transact.ts';
import { processSignIn } from '../../shared/sign-in/process.ts';
import { keys, prefix, type ScopeRef } from '../../shared/table/schema.ts';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';

const { env, call, owner, stranger, newOrg, newCompanyWithOrg, addDomain, verifiedDomain } =
  adminSuite();

const enc = encodeURIComponent;

interface EventView {
  id: string;
  seq: number | null;
  type: string;
  orgId: string | null;
}

/** Every event item of a scope's partition, straight from the table. */
async function storedEvents(scope: ScopeRef): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await env.db.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':p': keys.eventCounter(scope).pk, ':e': prefix.event },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

async function counter(scope: ScopeRef): Promise<unknown> {
  const out = await env.db.send(
    new GetCommand({
      TableName: env.tableName,
      Key: keys.eventCounter(scope),
      ConsistentRead: true,
    }),
  );
  return out.Item?.n;
}

/** Expects a scope's events numbered exactly 1…n, each once, and its counter at n. */
async function expectNumberedOneToN(scope: ScopeRef): Promise<number> {
  const seqs = (await storedEvents(scope)).map((e) => e.seq as number).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  expect(await counter(scope)).toBe(seqs.length);
  return seqs.length;
}

/** Every page of a scope's event list with this query. */
async function listAll(scope: string, query: Record<string, string>): Promise<EventView[]> {
  const items: EventView[] = [];
  let cursor: string | null = null;
  do {
    const res = await call('GET', `/v1/${scope}/events`, {
      as: owner,
      query: { ...query, ...(cursor ? { cursor } : {}) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/**
 * A call retried while it answers 503, as the API asks a client to ("try again shortly"): on a
 * loaded machine DynamoDB Local can be slower than the stack's timeout, and a 503 writes nothing.
 * What is asserted is the answer after that, and the numbering of what was written.
 */
async function retried(request: () => ReturnType<typeof call>): ReturnType<typeof call> {
  for (let attempt = 1; ; attempt++) {
    const res = await request();
    if (res.status !== 503 || attempt === 5) return res;
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}

const signIn = (email: string, domain: string) => ({
  email,
  domain,
  emailVerified: true,
  name: 'Test Person',
  connection: undefined,
  groups: [],
});

/** A stored `seats_changed` event of `orgId`, not numbered (as written before numbering). */
const seatsChangedItem = (orgId: string, id: string, at: string) =>
  eventItem(
    { type: 'seats_changed', orgId, companyId: null, actor: owner, subject: orgId, details: {} },
    id,
    at,
    null,
  );

describe('numbering (SPEC §11)', () => {
  it('numbers 50 concurrent admin changes and sign-ins of one org 1…n, no gap, no repeat', async () => {
    const org = await newOrg();
    const scope: ScopeRef = { type: 'org', id: org.id };
    const domain = await verifiedDomain(`orgs/${org.id}`);
    const on = await call('PUT', `/v1/orgs/${org.id}/domains/${enc(domain)}/auto-provisioning`, {
      as: owner,
      body: { enabled: true },
    });
    expect(on.status).toBe(200);
    const pending = Array.from({ length: 8 }, () => `inv-${randomUUID().slice(0, 8)}@example.test`);
    for (const email of pending) {
      const res = await call('POST', `/v1/orgs/${org.id}/invitations`, {
        as: owner,
        body: { email, team: 'dev' },
      });
      expect(res.status).toBe(201);
    }
    const before = await expectNumberedOneToN(scope);

    // 50 changes at once: invitations (with a team), revocations, seat changes over the
    // stack's HTTP API, and first sign-ins through auto-provisioning, each recording events.
    const store = createSignInStore(env.db, env.tableName);
    const changes: Promise<unknown>[] = [
      ...Array.from({ length: 16 }, (_, i) =>
        retried(() =>
          call('POST', `/v1/orgs/${org.id}/invitations`, {
            as: owner,
            body: { email: `new-${i}-${randomUUID().slice(0, 6)}@example.test`, team: `t${i % 3}` },
          }),
        ).then((r) => expect(r.status, JSON.stringify(r.body)).toBe(201)),
      ),
      ...pending.map((email) =>
        retried(() =>
          call('DELETE', `/v1/orgs/${org.id}/invitations/${enc(email)}`, { as: owner }),
        ).then((r) => expect(r.status, JSON.stringify(r.body)).toBe(204)),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        retried(() =>
          call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 1000 + i } }),
        ).then((r) => expect(r.status, JSON.stringify(r.body)).toBe(200)),
      ),
      ...Array.from({ length: 18 }, (_, i) =>
        processSignIn(signIn(`racer${i}-${randomUUID().slice(0, 6)}@${domain}`, domain), store, {
          deadlineMs: 60_000,
        }).then((plan) => expect(plan).toBeDefined()),
      ),
    ];
    expect(changes).toHaveLength(50);
    await Promise.all(changes);

    const after = await expectNumberedOneToN(scope);
    expect(after - before).toBeGreaterThanOrEqual(50);
    const types = (await storedEvents(scope)).map((e) => e.type);
    expect(types.filter((t) => t === 'invitation_revoked')).toHaveLength(8);
    expect(types.filter((t) => t === 'seats_changed')).toHaveLength(8);
    expect(types.filter((t) => t === 'member_added')).toHaveLength(1 + 18);
    // The list answers the same numbers, newest first.
    const listed = await listAll(`orgs/${org.id}`, { limit: '100' });
    expect(listed.map((e) => e.seq)).toEqual(Array.from({ length: after }, (_, i) => after - i));
  }, 120_000);

  it('numbers company-level events in the company, apart from its orgs', async () => {
    const company = await newCompanyWithOrg();
    const scope: ScopeRef = { type: 'company', id: company.id };
    const orgScope: ScopeRef = { type: 'org', id: company.org.id };
    const orgBefore = await expectNumberedOneToN(orgScope);
    await Promise.all(
      Array.from({ length: 12 }, () =>
        retried(() =>
          call('POST', `/v1/companies/${company.id}/domains`, {
            as: owner,
            body: { domain: `${uniqueSlug('d')}.example.test` },
          }),
        ).then((r) => expect(r.status, JSON.stringify(r.body)).toBe(201)),
      ),
    );
    expect(await expectNumberedOneToN(scope)).toBe(12);
    // The org's own numbering is untouched by the company's events.
    expect(await expectNumberedOneToN(orgScope)).toBe(orgBefore);
    const events = await storedEvents(scope);
    expect(events.every((e) => e.orgId === null && e.companyId === company.id)).toBe(true);
    // The company's list shows its events and its org's, each with its own number.
    const listed = await listAll(`companies/${company.id}`, {});
    expect(
      listed
        .filter((e) => e.orgId === null)
        .map((e) => e.seq)
        .sort((a, b) => a! - b!),
    ).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // The org's events from before the move join the company's list once the stream indexed them.
    await expect
      .poll(
        async () =>
          (await listAll(`companies/${company.id}`, {}))
            .filter((e) => e.orgId === company.org.id)
            .map((e) => e.seq),
        { timeout: 10_000 },
      )
      .toEqual(Array.from({ length: orgBefore }, (_, i) => orgBefore - i));
  });

  it('renumbers and resends when the counter moved, without a new read or decision', async () => {
    const org = await newOrg();
    const scope: ScopeRef = { type: 'org', id: org.id };
    const n = await expectNumberedOneToN(scope);
    const item = (id: string): TransactItem => ({
      Put: {
        TableName: env.tableName,
        Item: seatsChangedItem(org.id, id, new Date().toISOString()),
      },
    });
    const requests: string[] = [];
    // Counters read long ago: the first send is refused by the counter alone, which hands back
    // its value; the second is numbered from it.
    await transactWrite(
      env.db,
      [
        { item: item('stale-1'), guard: 0 },
        { item: item('stale-2'), guard: 0 },
      ],
      {
        tooLarge: () => new Error('too large'),
        counters: new Map([[keys.eventCounter(scope).pk, 0]]),
        onRequest: (kind) => requests.push(kind),
      },
    );
    expect(requests).toEqual(['transaction', 'transaction']);
    const events = await storedEvents(scope);
    expect(events.filter((e) => String(e.id).startsWith('stale-')).map((e) => e.seq)).toEqual([
      n + 1,
      n + 2,
    ]);
    expect(await expectNumberedOneToN(scope)).toBe(n + 2);
  });

  it("takes no number when the change's own condition refuses it", async () => {
    const org = await newOrg();
    const scope: ScopeRef = { type: 'org', id: org.id };
    const n = await expectNumberedOneToN(scope);
    const refused = transactWrite(
      env.db,
      [
        {
          item: {
            ConditionCheck: {
              TableName: env.tableName,
              Key: keys.org(org.id),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          guard: 'org exists',
        },
        {
          item: {
            Put: {
              TableName: env.tableName,
              Item: seatsChangedItem(org.id, 'never', new Date().toISOString()),
            },
          },
          guard: undefined,
        },
      ],
      { tooLarge: () => new Error('too large') },
    );
    await expect(refused).rejects.toBeInstanceOf(TransactionRefused);
    await expect(refused).rejects.toMatchObject({ failed: ['org exists'] });
    expect(await expectNumberedOneToN(scope)).toBe(n);
  });
});

describe('GET /v1/{scope}/events with order, after and types', () => {
  /** An org with 1 member_added then 6 invitations, revoking every other one: 10 events. */
  async function orgWithHistory() {
    const org = await newOrg();
    const emails = Array.from({ length: 6 }, (_, i) => `h${i}-${randomUUID().slice(0, 6)}@x.test`);
    for (const [i, email] of emails.entries()) {
      const res = await call('POST', `/v1/orgs/${org.id}/invitations`, {
        as: owner,
        body: { email },
      });
      expect(res.status).toBe(201);
      if (i % 2 === 1) {
        const revoked = await call('DELETE', `/v1/orgs/${org.id}/invitations/${enc(email)}`, {
          as: owner,
        });
        expect(revoked.status).toBe(204);
      }
    }
    return org;
  }

  it('reads forward from a number, a page at a time, oldest first', async () => {
    const org = await orgWithHistory();
    const first = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { order: 'asc', after: '4', limit: '3' },
    });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: EventView) => e.seq)).toEqual([5, 6, 7]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { order: 'asc', after: '4', limit: '3', cursor: first.body.nextCursor },
    });
    expect(rest.body.items.map((e: EventView) => e.seq)).toEqual([8, 9, 10]);
    expect(rest.body.nextCursor).toBeNull();
    // From the start, and past the end.
    expect(
      (await listAll(`orgs/${org.id}`, { order: 'asc', after: '0' })).map((e) => e.seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const end = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { order: 'asc', after: '10' },
    });
    expect(end.body).toEqual({ items: [], nextCursor: null });
    // Newest first stays the default.
    expect((await listAll(`orgs/${org.id}`, { limit: '4' })).map((e) => e.seq)).toEqual([
      10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
    ]);
    expect(
      (await listAll(`orgs/${org.id}`, { order: 'asc', limit: '4' })).map((e) => e.seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('filters by type, with after and alone', async () => {
    const org = await orgWithHistory();
    const revoked = await listAll(`orgs/${org.id}`, { types: 'invitation_revoked', limit: '2' });
    expect(revoked.map((e) => [e.type, e.seq])).toEqual([
      ['invitation_revoked', 10],
      ['invitation_revoked', 7],
      ['invitation_revoked', 4],
    ]);
    const two = await listAll(`orgs/${org.id}`, {
      order: 'asc',
      after: '3',
      types: 'invitation_revoked,member_added',
    });
    expect(two.map((e) => e.seq)).toEqual([4, 7, 10]);
    const none = await listAll(`orgs/${org.id}`, { types: 'domain_added' });
    expect(none).toEqual([]);
  });

  it("reads a company's own numbered events with after, its activity by time without", async () => {
    const company = await newCompanyWithOrg();
    for (let i = 0; i < 4; i++) await addDomain(`companies/${company.id}`);
    // An org event recorded in the company (its earlier ones are indexed later, by the stream).
    const seats = await call('PATCH', `/v1/orgs/${company.org.id}`, {
      as: owner,
      body: { seatLimit: 50 },
    });
    expect(seats.status).toBe(200);
    const own = await listAll(`companies/${company.id}`, { order: 'asc', after: '1' });
    expect(own.map((e) => [e.seq, e.orgId])).toEqual([
      [2, null],
      [3, null],
      [4, null],
    ]);
    const all = await listAll(`companies/${company.id}`, { order: 'asc' });
    expect(all.some((e) => e.orgId === company.org.id)).toBe(true);
    expect(all.filter((e) => e.orgId === null).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('lists events from before numbering with seq null: first oldest-first, skipped by after', async () => {
    const org = await newOrg();
    await env.db.send(
      new PutCommand({
        TableName: env.tableName,
        Item: seatsChangedItem(org.id, 'before-numbering', '2026-01-01T00:00:00.000Z'),
      }),
    );
    const asc = await listAll(`orgs/${org.id}`, { order: 'asc' });
    expect(asc.map((e) => [e.id, e.seq])).toEqual([
      ['before-numbering', null],
      [expect.any(String), 1],
    ]);
    const desc = await listAll(`orgs/${org.id}`, {});
    expect(desc.map((e) => e.seq)).toEqual([1, null]);
    expect(
      (await listAll(`orgs/${org.id}`, { order: 'asc', after: '0' })).map((e) => e.seq),
    ).toEqual([1]);
  });

  it('answers 400 naming the field for a bad order, after or types', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/events`;
    const bad: [Record<string, string>, string][] = [
      [{ order: 'up' }, 'order'],
      [{ order: 'asc', after: '-1' }, 'after'],
      [{ order: 'asc', after: '2.5' }, 'after'],
      [{ order: 'asc', after: 'ten' }, 'after'],
      [{ after: '3' }, 'after'],
      [{ order: 'desc', after: '3' }, 'after'],
      [{ types: 'member_added,made_up' }, 'types'],
      [{ types: '' }, 'types'],
    ];
    for (const [query, field] of bad) {
      expectProblem(await call('GET', path, { as: owner, query }), 400, field);
    }
  });

  it('refuses a cursor from another reading of the list (400), never reads elsewhere', async () => {
    const org = await orgWithHistory();
    const page = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { order: 'asc', after: '6', limit: '1' },
    });
    expect(page.body.items.map((e: EventView) => e.seq)).toEqual([7]);
    // A newest-first cursor (an event numbered before 6) presented to "after 6".
    const newest = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '8' },
    });
    const outside = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { order: 'asc', after: '6', cursor: newest.body.nextCursor },
    });
    expectProblem(outside, 400, 'cursor');
    const other = await newOrg();
    const foreign = await call('GET', `/v1/orgs/${other.id}/events`, {
      as: owner,
      query: { order: 'asc', after: '6', cursor: page.body.nextCursor },
    });
    expectProblem(foreign, 400, 'cursor');
  });

  it("answers 404 for another tenant's org or company, before looking at the parameters", async () => {
    const org = await newOrg();
    const company = await newCompanyWithOrg();
    for (const scope of [`orgs/${org.id}`, `companies/${company.id}`]) {
      const queries: Record<string, string>[] = [
        { order: 'asc', after: '0' },
        { order: 'bad' },
        { types: 'x' },
      ];
      for (const query of queries) {
        expectProblem(await call('GET', `/v1/${scope}/events`, { as: stranger, query }), 404);
      }
    }
    expectProblem(
      await call('GET', `/v1/orgs/${uniqueSlug('org')}/events`, {
        as: owner,
        query: { order: 'asc', after: '0' },
      }),
      404,
    );
  });
});
