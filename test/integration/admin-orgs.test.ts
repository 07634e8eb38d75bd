/**
 * Admin API (SPEC §5), org routes, through the local stack's HTTP API with cognito-local tokens:
 * orgs and seats, members, invitations, teams.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import { keys } from '../../shared/table/schema.ts';
import { expectProblem, uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { api, signedInUser } from '../support/local-stack.ts';

const { env, call, owner, stranger, newOrg } = adminSuite();
const enc = encodeURIComponent;

/** An invitee accepts by signing in with the invited, verified address (SPEC §3.5.0). */
async function acceptBySigningIn(
  orgId: string,
  role: 'owner' | 'member' = 'member',
  team?: string,
) {
  const email = `invitee-${uniqueSlug('x')}@example.test`;
  const invited = await call('POST', `/v1/orgs/${orgId}/invitations`, {
    as: owner,
    body: { email, role, ...(team ? { team } : {}) },
  });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  await env.signInAs(email);
  return email;
}

describe('POST /v1/orgs', () => {
  it('creates an org whose owner is the caller, holding the first seat', async () => {
    const name = uniqueSlug('acme');
    const res = await call('POST', '/v1/orgs', { as: owner, body: { name, seatLimit: 5 } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name,
      companyId: null,
      seatLimit: 5,
      seatsUsed: 1,
    });
    const members = await call('GET', `/v1/orgs/${res.body.id}/members`, { as: owner });
    expect(members.body.items).toEqual([
      expect.objectContaining({ email: owner, role: 'owner', via: 'creator', teams: [] }),
    ]);
    // The sign-in trigger created the caller's account, so the member has a username.
    expect(members.body.items[0].username).toMatch(/^[a-z0-9]{4,30}$/);
  });

  it('defaults seatLimit to null (unlimited)', async () => {
    const res = await call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('free') } });
    expect(res.status).toBe(201);
    expect(res.body.seatLimit).toBeNull();
  });

  it('answers 400 naming the field', async () => {
    expectProblem(
      await call('POST', '/v1/orgs', { as: owner, body: { name: 'Not A Slug' } }),
      400,
      'name',
    );
    expectProblem(await call('POST', '/v1/orgs', { as: owner, body: {} }), 400, 'name');
    expectProblem(
      await call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('a'), seatLimit: -1 } }),
      400,
      'seatLimit',
    );
    expectProblem(
      await call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('a'), seatLimit: 0 } }),
      400,
      'seatLimit',
    );
    expectProblem(
      await call('POST', '/v1/orgs', { as: owner, body: { name: uniqueSlug('a'), colour: 'red' } }),
      400,
      'colour',
    );
    expectProblem(await call('POST', '/v1/orgs', { as: owner, rawBody: '{"name":' }), 400, 'body');
  });

  it('answers 401 without a token, with a forged one, and with an access token (it has no email)', async () => {
    expectProblem(await call('POST', '/v1/orgs', { body: { name: uniqueSlug('a') } }), 401);
    const body = JSON.stringify({ name: uniqueSlug('a') });
    const forged = await api('/v1/orgs', { method: 'POST', body, token: 'not.a.jwt' });
    expect(forged.status).toBe(401);
    const user = await signedInUser();
    const access = await api('/v1/orgs', { method: 'POST', body, token: user.accessToken });
    expect(access.status).toBe(401);
    expect(((await access.json()) as { detail: string }).detail).toContain('email');
    const id = await api('/v1/orgs', { method: 'POST', body, token: user.idToken });
    expect(id.status).toBe(201);
  });

  it('answers 409 when the name is taken', async () => {
    const org = await newOrg();
    const res = await call('POST', '/v1/orgs', { as: stranger, body: { name: org.name } });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('taken');
  });
});

describe('GET /v1/orgs/{orgId}', () => {
  it('answers the org with its seats', async () => {
    const org = await newOrg({ seatLimit: 3 });
    const res = await call('GET', `/v1/orgs/${org.id}`, { as: owner });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: org.id,
      name: org.name,
      companyId: null,
      seatLimit: 3,
      seatsUsed: 1,
    });
  });

  it('answers 401 without a token', async () => {
    const org = await newOrg();
    expectProblem(await call('GET', `/v1/orgs/${org.id}`), 401);
  });

  it("answers 404 for another tenant's org and for an unknown one, alike", async () => {
    const org = await newOrg();
    const other = await call('GET', `/v1/orgs/${org.id}`, { as: stranger });
    const unknown = await call('GET', '/v1/orgs/no-such-org', { as: stranger });
    expectProblem(other, 404);
    expectProblem(unknown, 404);
  });

  it('answers 404 to a member who is not an owner', async () => {
    const org = await newOrg();
    const member = await acceptBySigningIn(org.id);
    const members = await call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect(members.body.items.map((m: { email: string }) => m.email)).toContain(member);
    // A plain member administers nothing: the org does not exist for them.
    expectProblem(await call('GET', `/v1/orgs/${org.id}`, { as: member }), 404);
  });
});

describe('PATCH /v1/orgs/{orgId}', () => {
  it('changes the seat limit and records seats_changed', async () => {
    const org = await newOrg({ seatLimit: 2 });
    const res = await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 10 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: org.id, seatLimit: 10, seatsUsed: 1 });
    const unlimited = await call('PATCH', `/v1/orgs/${org.id}`, {
      as: owner,
      body: { seatLimit: null },
    });
    expect(unlimited.body.seatLimit).toBeNull();
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items.slice(0, 2)).toEqual([
      expect.objectContaining({
        type: 'seats_changed',
        actor: owner,
        details: { from: 10, to: null },
      }),
      expect.objectContaining({ type: 'seats_changed', details: { from: 2, to: 10 } }),
    ]);
  });

  it('answers 400 naming seatLimit', async () => {
    const org = await newOrg();
    expectProblem(
      await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 'ten' } }),
      400,
      'seatLimit',
    );
    expectProblem(
      await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: {} }),
      400,
      'seatLimit',
    );
    expectProblem(
      await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 1.5 } }),
      400,
      'seatLimit',
    );
  });

  it('answers 401 and 404 before validating', async () => {
    const org = await newOrg();
    expectProblem(await call('PATCH', `/v1/orgs/${org.id}`, { body: { seatLimit: 'x' } }), 401);
    expectProblem(
      await call('PATCH', `/v1/orgs/${org.id}`, { as: stranger, body: { seatLimit: 'x' } }),
      404,
    );
  });

  it('answers 409 below the seats in use (members and pending invitations)', async () => {
    const org = await newOrg({ seatLimit: 5 });
    await call('POST', `/v1/orgs/${org.id}/invitations`, {
      as: owner,
      body: { email: 'held@example.test' },
    });
    const res = await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 1 } });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('below');
    const ok = await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 2 } });
    expect(ok.body).toMatchObject({ seatLimit: 2, seatsUsed: 2 });
  });
});

describe('members', () => {
  it('lists members with username, name, role, teams, via and joinedAt', async () => {
    const org = await newOrg();
    const invitee = await acceptBySigningIn(org.id, 'member', 'eng');
    const res = await call('GET', `/v1/orgs/${org.id}/members`, { as: owner });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const byEmail = Object.fromEntries(res.body.items.map((m: { email: string }) => [m.email, m]));
    expect(byEmail[invitee]).toEqual({
      email: invitee,
      username: expect.stringMatching(/^[a-z0-9]{4,30}$/),
      name: null,
      role: 'member',
      teams: ['eng'],
      via: 'invitation',
      joinedAt: expect.any(String),
    });
    const teams = await call('GET', `/v1/orgs/${org.id}/teams`, { as: owner });
    expect(teams.body).toEqual({ items: [{ name: 'eng', memberCount: 1 }], nextCursor: null });
  });

  it('pages members with limit and cursor', async () => {
    const org = await newOrg();
    await acceptBySigningIn(org.id, 'member', 'eng');
    await acceptBySigningIn(org.id, 'member', 'ops');
    const first = await call('GET', `/v1/orgs/${org.id}/members`, {
      as: owner,
      query: { limit: '2' },
    });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call('GET', `/v1/orgs/${org.id}/members`, {
      as: owner,
      query: { limit: '2', cursor: first.body.nextCursor },
    });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((m: { email: string }) => m.email);
    expect(new Set(all).size).toBe(3);
  });

  it('answers 400 for a bad limit or cursor, 401 and 404', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/members`;
    expectProblem(await call('GET', path, { as: owner, query: { limit: '101' } }), 400, 'limit');
    expectProblem(await call('GET', path, { as: owner, query: { limit: '0' } }), 400, 'limit');
    expectProblem(
      await call('GET', path, { as: owner, query: { cursor: 'bm9wZQ' } }),
      400,
      'cursor',
    );
    expectProblem(await call('GET', path), 401);
    expectProblem(await call('GET', path, { as: stranger }), 404);
  });

  it('refuses a cursor of another org (400), so a cursor cannot read elsewhere', async () => {
    const a = await newOrg();
    const b = await newOrg();
    await acceptBySigningIn(a.id);
    const page = await call('GET', `/v1/orgs/${a.id}/members`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const res = await call('GET', `/v1/orgs/${b.id}/members`, {
      as: owner,
      query: { cursor: page.body.nextCursor },
    });
    expectProblem(res, 400, 'cursor');
  });

  it('promotes and demotes, recording role_changed; the last owner cannot be demoted (409)', async () => {
    const org = await newOrg();
    const invitee = await acceptBySigningIn(org.id);
    const path = `/v1/orgs/${org.id}/members/${enc(invitee)}`;
    const promoted = await call('PUT', path, { as: owner, body: { role: 'owner' } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ email: invitee, role: 'owner', via: 'invitation' });
    const demoteSelf = await call('PUT', `/v1/orgs/${org.id}/members/${enc(owner)}`, {
      as: owner,
      body: { role: 'member' },
    });
    expect(demoteSelf.status).toBe(200);
    expect(demoteSelf.body.role).toBe('member');
    // The demoted caller no longer administers the org; the invitee is now its only owner.
    expectProblem(await call('GET', `/v1/orgs/${org.id}`, { as: owner }), 404);
    const last = await call('PUT', path, { as: invitee, body: { role: 'member' } });
    expectProblem(last, 409);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: invitee });
    expect(events.body.items.slice(0, 2)).toEqual([
      expect.objectContaining({
        type: 'role_changed',
        subject: owner,
        actor: owner,
        details: { from: 'owner', to: 'member' },
      }),
      expect.objectContaining({
        type: 'role_changed',
        subject: invitee,
        actor: owner,
        details: { from: 'member', to: 'owner' },
      }),
    ]);
  });

  it('two owners demoting each other at once leave one owner: one change commits, the other is 409', async () => {
    for (let round = 0; round < 3; round++) {
      const org = await newOrg();
      const other = await acceptBySigningIn(org.id);
      const promoted = await call('PUT', `/v1/orgs/${org.id}/members/${enc(other)}`, {
        as: owner,
        body: { role: 'owner' },
      });
      expect(promoted.status).toBe(200);
      const answers = await Promise.all([
        call('PUT', `/v1/orgs/${org.id}/members/${enc(other)}`, {
          as: owner,
          body: { role: 'member' },
        }),
        call('PUT', `/v1/orgs/${org.id}/members/${enc(owner)}`, {
          as: other,
          body: { role: 'member' },
        }),
      ]);
      const statuses = answers.map((a) => a.status).sort();
      // Both may be refused when each read the other's change in flight; never both applied.
      expect(
        statuses.filter((s) => s === 200).length,
        JSON.stringify(statuses),
      ).toBeLessThanOrEqual(1);
      for (const a of answers) expect([200, 404, 409]).toContain(a.status);
      // Whoever was not demoted is still an owner and may read the members.
      const members = await call('GET', `/v1/orgs/${org.id}/members`, {
        as: answers[0]!.status === 200 ? owner : other,
      });
      const owners = (members.body.items as { role: string }[]).filter((m) => m.role === 'owner');
      expect(owners.length, JSON.stringify(members.body)).toBeGreaterThanOrEqual(1);
    }
  });

  it('answers 409 when demoting the last owner', async () => {
    const org = await newOrg();
    const res = await call('PUT', `/v1/orgs/${org.id}/members/${enc(owner)}`, {
      as: owner,
      body: { role: 'member' },
    });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('last owner');
  });

  it('answers 400 naming role or email, 401, and 404 for another tenant or a non-member', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/members/${enc(owner)}`;
    expectProblem(await call('PUT', path, { as: owner, body: { role: 'admin' } }), 400, 'role');
    expectProblem(
      await call('PUT', `/v1/orgs/${org.id}/members/not-an-email`, {
        as: owner,
        body: { role: 'owner' },
      }),
      400,
      'email',
    );
    expectProblem(await call('PUT', path, { body: { role: 'owner' } }), 401);
    expectProblem(await call('PUT', path, { as: stranger, body: { role: 'owner' } }), 404);
    expectProblem(
      await call('PUT', `/v1/orgs/${org.id}/members/${enc('nobody@example.test')}`, {
        as: owner,
        body: { role: 'owner' },
      }),
      404,
    );
  });

  it('removes a member, freeing the seat and their team places', async () => {
    const org = await newOrg({ seatLimit: 3 });
    const invitee = await acceptBySigningIn(org.id, 'member', 'eng');
    expect((await call('GET', `/v1/orgs/${org.id}`, { as: owner })).body.seatsUsed).toBe(2);
    const res = await call('DELETE', `/v1/orgs/${org.id}/members/${enc(invitee)}`, { as: owner });
    expect(res.status).toBe(204);
    expect((await call('GET', `/v1/orgs/${org.id}`, { as: owner })).body.seatsUsed).toBe(1);
    const teams = await call('GET', `/v1/orgs/${org.id}/teams`, { as: owner });
    expect(teams.body.items).toEqual([{ name: 'eng', memberCount: 0 }]);
    const person = await env.db.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': keys.person(invitee), ':m': `MEMBER#${org.id}` },
      }),
    );
    expect(person.Items).toEqual([]);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'member_removed',
      subject: invitee,
      actor: owner,
      orgId: org.id,
      details: { role: 'member', via: 'invitation', teams: ['eng'] },
    });
  });

  it('answers 409 when removing the last owner, 401 and 404', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/members/${enc(owner)}`;
    expectProblem(await call('DELETE', path, { as: owner }), 409);
    expectProblem(await call('DELETE', path), 401);
    expectProblem(await call('DELETE', path, { as: stranger }), 404);
    expectProblem(
      await call('DELETE', `/v1/orgs/${org.id}/members/${enc('nobody@example.test')}`, {
        as: owner,
      }),
      404,
    );
  });
});

describe('invitations', () => {
  it('invites (201), holding a seat, recording the event and an outbox item for the invitee', async () => {
    const org = await newOrg({ seatLimit: 2 });
    const res = await call('POST', `/v1/orgs/${org.id}/invitations`, {
      as: owner,
      body: { email: ' New.Person@Example.TEST ', role: 'owner', team: 'eng' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      email: 'new.person@example.test',
      role: 'owner',
      team: 'eng',
      invitedBy: owner,
      createdAt: expect.any(String),
      // SPEC §13: pending, mailed now, expiring 14 days on.
      status: 'pending',
      sentAt: res.body.createdAt,
      expiresAt: new Date(Date.parse(res.body.createdAt) + 14 * 86_400_000).toISOString(),
    });
    expect((await call('GET', `/v1/orgs/${org.id}`, { as: owner })).body.seatsUsed).toBe(2);
    const listed = await call('GET', `/v1/orgs/${org.id}/invitations`, { as: owner });
    expect(listed.body).toEqual({ items: [res.body], nextCursor: null });
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'invitation_created',
      subject: 'new.person@example.test',
      details: { role: 'owner', team: 'eng' },
    });
    const outbox = await scanAll(env.db, {
      TableName: env.tableName,
      FilterExpression:
        'entity = :outbox AND notification.email = :email AND notification.orgId = :org',
      ExpressionAttributeValues: {
        ':outbox': 'outbox',
        ':email': 'new.person@example.test',
        ':org': org.id,
      },
    });
    expect(outbox.map((i) => i.notification)).toEqual([
      {
        type: 'invitation',
        orgId: org.id,
        orgName: org.name,
        companyId: null,
        email: 'new.person@example.test',
        name: null,
        details: { role: 'owner', team: 'eng', invitedBy: owner },
      },
    ]);
  });

  it('answers 400 naming email, role or team', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/invitations`;
    expectProblem(await call('POST', path, { as: owner, body: { email: 'nope' } }), 400, 'email');
    expectProblem(await call('POST', path, { as: owner, body: {} }), 400, 'email');
    expectProblem(
      await call('POST', path, { as: owner, body: { email: 'a@example.test', role: 'boss' } }),
      400,
      'role',
    );
    expectProblem(
      await call('POST', path, { as: owner, body: { email: 'a@example.test', team: 'Eng Team' } }),
      400,
      'team',
    );
  });

  it('answers 401 and 404', async () => {
    const org = await newOrg();
    const path = `/v1/orgs/${org.id}/invitations`;
    expectProblem(await call('POST', path, { body: { email: 'a@example.test' } }), 401);
    expectProblem(
      await call('POST', path, { as: stranger, body: { email: 'a@example.test' } }),
      404,
    );
    expectProblem(await call('GET', path), 401);
    expectProblem(await call('GET', path, { as: stranger }), 404);
  });

  it('answers 409 without a free seat, for a pending invitation and for a member', async () => {
    const org = await newOrg({ seatLimit: 2 });
    const path = `/v1/orgs/${org.id}/invitations`;
    expect(
      (await call('POST', path, { as: owner, body: { email: 'one@example.test' } })).status,
    ).toBe(201);
    const again = await call('POST', path, { as: owner, body: { email: 'one@example.test' } });
    expectProblem(again, 409);
    const full = await call('POST', path, { as: owner, body: { email: 'two@example.test' } });
    expectProblem(full, 409);
    expect(full.body.detail).toContain('No free seat');
    await call('PATCH', `/v1/orgs/${org.id}`, { as: owner, body: { seatLimit: 5 } });
    const member = await call('POST', path, { as: owner, body: { email: owner } });
    expectProblem(member, 409);
    expect(member.body.detail).toContain('already a member');
    expect(again.body.detail).toContain('pending invitation');
  });

  it('never lets concurrent invitations take more seats than the limit', async () => {
    const org = await newOrg({ seatLimit: 4 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', `/v1/orgs/${org.id}/invitations`, {
          as: owner,
          body: { email: `c${i}@example.test` },
        }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(3);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect((await call('GET', `/v1/orgs/${org.id}`, { as: owner })).body.seatsUsed).toBe(4);
  });

  it('revokes an invitation, freeing its seat (204); 404 when there is none', async () => {
    const org = await newOrg({ seatLimit: 2 });
    await call('POST', `/v1/orgs/${org.id}/invitations`, {
      as: owner,
      body: { email: 'gone@example.test' },
    });
    const path = `/v1/orgs/${org.id}/invitations/${enc('Gone@Example.test')}`;
    expectProblem(await call('DELETE', path), 401);
    expectProblem(await call('DELETE', path, { as: stranger }), 404);
    expect((await call('DELETE', path, { as: owner })).status).toBe(204);
    expect((await call('GET', `/v1/orgs/${org.id}`, { as: owner })).body.seatsUsed).toBe(1);
    expectProblem(await call('DELETE', path, { as: owner }), 404);
    const events = await call('GET', `/v1/orgs/${org.id}/events`, {
      as: owner,
      query: { limit: '1' },
    });
    expect(events.body.items[0]).toMatchObject({
      type: 'invitation_revoked',
      subject: 'gone@example.test',
    });
  });
});

describe('GET /v1/orgs/{orgId}/teams', () => {
  it('answers 401 and 404', async () => {
    const org = await newOrg();
    expectProblem(await call('GET', `/v1/orgs/${org.id}/teams`), 401);
    expectProblem(await call('GET', `/v1/orgs/${org.id}/teams`, { as: stranger }), 404);
    const empty = await call('GET', `/v1/orgs/${org.id}/teams`, { as: owner });
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });
});
