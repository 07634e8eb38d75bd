/**
 * SPEC §11 webhooks through the local stack: the admin API (owners only, 404 across tenants,
 * 400 naming the field, where an endpoint may call), and deliveries as a receiver on loopback
 * sees them — Standard Webhooks headers verified with standardwebhooks and svix, retries with
 * the same webhook-id (the stack runs the retry schedule a thousand times sooner), 410
 * disabling, a hanging endpoint delaying no other, rotation, redirects not followed, addresses
 * checked at every delivery, and the EventBridge entry.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { adminDeps, inProcessApi } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { invokeFunction, localStack, stackDns } from '../support/local-stack.ts';
import { eventually, mailTo, type SesMail } from '../support/mail.ts';
import { type Answer, startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { verifyDelivery } from '../support/webhook-verify.ts';

const { env, call, owner, stranger, newOrg, newCompanyWithOrg } = adminSuite();

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(answer?: (n: number) => Answer) {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

/** A webhook at a scope (`orgs/<id>`), answered 201 with its secret. */
async function addWebhook(scope: string, url: string, types: string[] | null = ['seats_changed']) {
  const res = await call('POST', `/v1/${scope}/webhooks`, {
    as: owner,
    body: { url, ...(types ? { types } : {}), description: 'test' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string };
}

/** Changes an org's seats: one seats_changed event; answers its id. */
async function changeSeats(orgId: string, seatLimit: number): Promise<string> {
  const res = await call('PATCH', `/v1/orgs/${orgId}`, { as: owner, body: { seatLimit } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const events = await call('GET', `/v1/orgs/${orgId}/events`, { as: owner });
  const event = (
    events.body.items as { id: string; type: string; details: { to?: unknown } }[]
  ).find((e) => e.type === 'seats_changed');
  expect(event).toBeDefined();
  return event!.id;
}

const header = (r: { headers: Record<string, unknown> }, name: string) => String(r.headers[name]);

describe('webhook endpoints (admin API)', () => {
  it('creates one (201) with a whsec_ secret shown once, lists, reads and changes it', async () => {
    const org = await newOrg();
    const r = await receiver();
    const created = await addWebhook(`orgs/${org.id}`, r.url, ['seats_changed', 'member_added']);
    expect(created).toEqual({
      id: expect.any(String),
      url: r.url,
      types: ['seats_changed', 'member_added'],
      description: 'test',
      enabled: true,
      disabledReason: null,
      failingSince: null,
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const list = await call('GET', `/v1/orgs/${org.id}/webhooks`, { as: owner });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    const one = await call('GET', `/v1/orgs/${org.id}/webhooks/${created.id}`, { as: owner });
    expect(one.body).not.toHaveProperty('secret');
    const patched = await call('PATCH', `/v1/orgs/${org.id}/webhooks/${created.id}`, {
      as: owner,
      body: { types: null, enabled: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ types: null, enabled: false });
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    const types = (events.body.items as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['webhook_created', 'webhook_updated']));
    const deleted = await call('DELETE', `/v1/orgs/${org.id}/webhooks/${created.id}`, {
      as: owner,
    });
    expect(deleted.status).toBe(204);
    const gone = await call('GET', `/v1/orgs/${org.id}/webhooks/${created.id}`, { as: owner });
    expect(gone.status).toBe(404);
  });

  it("answers 404 for another tenant's endpoint on every route", async () => {
    const org = await newOrg();
    const r = await receiver();
    const { id } = await addWebhook(`orgs/${org.id}`, r.url);
    const theirs = await newOrg({ as: stranger });
    for (const [method, path, body] of [
      ['GET', `/v1/orgs/${org.id}/webhooks`, undefined],
      ['POST', `/v1/orgs/${org.id}/webhooks`, { url: r.url }],
      ['GET', `/v1/orgs/${org.id}/webhooks/${id}`, undefined],
      ['PATCH', `/v1/orgs/${org.id}/webhooks/${id}`, { enabled: false }],
      ['DELETE', `/v1/orgs/${org.id}/webhooks/${id}`, undefined],
      ['POST', `/v1/orgs/${org.id}/webhooks/${id}/rotate-secret`, undefined],
      ['GET', `/v1/orgs/${org.id}/webhooks/${id}/deliveries`, undefined],
      ['POST', `/v1/orgs/${org.id}/webhooks/${id}/replay`, { fromSeq: 1 }],
      // Their own scope, naming this endpoint's id.
      ['GET', `/v1/orgs/${theirs.id}/webhooks/${id}`, undefined],
      ['DELETE', `/v1/orgs/${theirs.id}/webhooks/${id}`, undefined],
      ['POST', `/v1/orgs/${theirs.id}/webhooks/${id}/rotate-secret`, undefined],
    ] as const) {
      const res = await call(method, path, { as: stranger, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // Still there, unchanged.
    const one = await call('GET', `/v1/orgs/${org.id}/webhooks/${id}`, { as: owner });
    expect(one.body.enabled).toBe(true);
  });

  it('answers 400 naming the field', async () => {
    const org = await newOrg();
    const r = await receiver();
    for (const [body, field] of [
      [{}, 'url'],
      [{ url: r.url, types: ['no_such_event'] }, 'types'],
      [{ url: r.url, types: [] }, 'types'],
      [{ url: r.url, extra: 1 }, 'extra'],
      [{ url: r.url, description: 'x'.repeat(201) }, 'description'],
      [{ url: 'not a url' }, 'url'],
      [{ url: `${r.url}#frag` }, 'url'],
    ] as const) {
      const res = await call('POST', `/v1/orgs/${org.id}/webhooks`, { as: owner, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      // An item of a list is named by its index (types[0]).
      expect(res.body.field, JSON.stringify(res.body)).toMatch(new RegExp(`^${field}\\b`));
    }
    const { id } = await addWebhook(`orgs/${org.id}`, r.url);
    const replay = await call('POST', `/v1/orgs/${org.id}/webhooks/${id}/replay`, {
      as: owner,
      body: { fromSeq: 0 },
    });
    expect(replay.status).toBe(400);
    expect(replay.body.field).toBe('fromSeq');
  });

  it('refuses URLs that could reach inside (SSRF), at creation (loopback aside: the local stack allows it)', async () => {
    const org = await newOrg();
    await stackDns().setAddresses('internal.webhooks.example.test', ['93.184.216.34', '10.1.2.3']);
    await stackDns().setAddresses('v6.webhooks.example.test', ['fd00::7']);
    for (const url of [
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[fd00::1]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://internal.webhooks.example.test/hook',
      'https://v6.webhooks.example.test/hook',
      'https://nowhere.webhooks.example.test/hook',
      'http://203.0.113.9/hook',
    ]) {
      const res = await call('POST', `/v1/orgs/${org.id}/webhooks`, { as: owner, body: { url } });
      expect(res.status, url).toBe(400);
      expect(res.body.field).toBe('url');
    }
  });

  it('refuses http to loopback where the deployment does not allow it', async () => {
    const strict = adminDeps(env.db, env.tableName, []);
    const api = inProcessApi({
      ...strict,
      webhooks: { ...strict.webhooks, policy: { allowLoopback: false } },
    });
    const org = await newOrg();
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
    ]) {
      const res = await api.call('POST', `/v1/orgs/${org.id}/webhooks`, {
        as: owner,
        body: { url },
      });
      expect(res.status, url).toBe(400);
      expect(res.body.field).toBe('url');
    }
  });
});

describe('webhook deliveries', () => {
  it('retries a 500 with the same webhook-id until a 200, each signed (standardwebhooks and svix)', async () => {
    const org = await newOrg();
    const r = await receiver((n) => (n <= 2 ? { status: 500 } : { status: 200 }));
    const { id, secret } = await addWebhook(`orgs/${org.id}`, r.url);
    const eventId = await changeSeats(org.id, 10);
    const got = await r.waitFor(3);
    expect(got.map((g) => header(g, 'webhook-id'))).toEqual([eventId, eventId, eventId]);
    for (const g of got) {
      expect(g.method).toBe('POST');
      expect(g.headers['content-type']).toBe('application/json');
      const payload = verifyDelivery(secret, g.body, g.headers) as Record<string, unknown>;
      expect(payload).toEqual({
        type: 'seats_changed',
        timestamp: expect.any(String),
        data: expect.objectContaining({
          id: eventId,
          type: 'seats_changed',
          orgId: org.id,
          seq: expect.toBeOneOf([null, expect.any(Number)]),
        }),
      });
      expect(Math.abs(Number(header(g, 'webhook-timestamp')) - Date.now() / 1000)).toBeLessThan(60);
    }
    // No fourth attempt after the 200.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(r.received).toHaveLength(3);
    const deliveries = await call('GET', `/v1/orgs/${org.id}/webhooks/${id}/deliveries`, {
      as: owner,
      query: { limit: '2' },
    });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toHaveLength(2);
    expect(deliveries.body.nextCursor).toEqual(expect.any(String));
    const rest = await call('GET', `/v1/orgs/${org.id}/webhooks/${id}/deliveries`, {
      as: owner,
      query: { limit: '2', cursor: deliveries.body.nextCursor },
    });
    const all = [...deliveries.body.items, ...rest.body.items];
    expect(all.map((d: { attempt: number }) => d.attempt).sort()).toEqual([1, 2, 3]);
    expect(all.find((d: { attempt: number }) => d.attempt === 3)).toMatchObject({
      eventId,
      type: 'seats_changed',
      statusCode: 200,
      error: null,
      outcome: 'delivered',
      durationMs: expect.any(Number),
    });
    expect(all.find((d: { attempt: number }) => d.attempt === 1)).toMatchObject({
      statusCode: 500,
      outcome: 'retrying',
      nextAttemptAt: expect.any(String),
    });
  });

  it('disables an endpoint that answers 410, recording webhook_disabled', async () => {
    const org = await newOrg();
    const r = await receiver(() => ({ status: 410 }));
    const { id } = await addWebhook(`orgs/${org.id}`, r.url);
    await changeSeats(org.id, 11);
    await r.waitFor(1);
    await expect
      .poll(
        async () =>
          (await call('GET', `/v1/orgs/${org.id}/webhooks/${id}`, { as: owner })).body.enabled,
        { timeout: 10_000 },
      )
      .toBe(false);
    const one = await call('GET', `/v1/orgs/${org.id}/webhooks/${id}`, { as: owner });
    expect(one.body.disabledReason).toBe('gone');
    const events = await call('GET', `/v1/orgs/${org.id}/events`, { as: owner });
    expect(events.body.items).toContainEqual(
      expect.objectContaining({ type: 'webhook_disabled', subject: id, actor: 'provisio' }),
    );
    // The owners are mailed, once; nothing more is sent to it.
    const about = (mails: SesMail[]) => mails.filter((m) => m.subject.includes(r.url));
    const mails = await eventually(
      () => mailTo(owner),
      (m) => about(m).length > 0,
    );
    expect(about(mails)).toHaveLength(1);
    expect(about(mails)[0]!.body.text).toContain('410');
    await changeSeats(org.id, 12);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(r.received).toHaveLength(1);
    expect(about(await mailTo(owner))).toHaveLength(1);
  });

  it('delivers to other endpoints while one hangs', async () => {
    const org = await newOrg();
    const hanging = await receiver(() => 'hang');
    const quick = await receiver();
    await addWebhook(`orgs/${org.id}`, hanging.url);
    await addWebhook(`orgs/${org.id}`, quick.url);
    const eventId = await changeSeats(org.id, 13);
    await hanging.waitFor(1);
    const [got] = await quick.waitFor(1, 5000);
    expect(header(got!, 'webhook-id')).toBe(eventId);
    // The hanging attempt is still open: the quick endpoint did not wait for its 15 s.
    expect(Date.now() - hanging.received[0]!.at).toBeLessThan(14_000);
  });

  it('during a rotation signs with both secrets, each verifying', async () => {
    const org = await newOrg();
    const r = await receiver();
    const { id, secret: oldSecret } = await addWebhook(`orgs/${org.id}`, r.url);
    const rotated = await call('POST', `/v1/orgs/${org.id}/webhooks/${id}/rotate-secret`, {
      as: owner,
    });
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(
      23 * 3600_000,
    );
    await changeSeats(org.id, 14);
    const [got] = await r.waitFor(1);
    expect(header(got!, 'webhook-signature').split(' ')).toHaveLength(2);
    expect(verifyDelivery(oldSecret, got!.body, got!.headers)).toBeTruthy();
    expect(verifyDelivery(newSecret, got!.body, got!.headers)).toBeTruthy();
  });

  it('does not follow a redirect (a failed attempt, retried)', async () => {
    const org = await newOrg();
    const inside = await receiver();
    const r = await receiver((n) =>
      n === 1 ? { status: 302, headers: { location: inside.url } } : { status: 200 },
    );
    const { id } = await addWebhook(`orgs/${org.id}`, r.url);
    await changeSeats(org.id, 15);
    await r.waitFor(2);
    expect(inside.received).toHaveLength(0);
    const deliveries = await call('GET', `/v1/orgs/${org.id}/webhooks/${id}/deliveries`, {
      as: owner,
    });
    expect(deliveries.body.items).toContainEqual(
      expect.objectContaining({ attempt: 1, statusCode: 302, outcome: 'retrying' }),
    );
  });

  it('checks the addresses again at every delivery (a name that now resolves inside fails)', async () => {
    const org = await newOrg();
    const r = await receiver();
    const host = `rebind-${Date.now()}.webhooks.example.test`;
    const port = new URL(r.url).port;
    // Allowed at creation: loopback, which the local stack allows.
    await stackDns().setAddresses(host, ['127.0.0.1']);
    const { id } = await addWebhook(`orgs/${org.id}`, `http://${host}:${port}/hook`);
    await stackDns().setAddresses(host, ['10.0.0.1']);
    await changeSeats(org.id, 16);
    await expect
      .poll(
        async () =>
          (await call('GET', `/v1/orgs/${org.id}/webhooks/${id}/deliveries`, { as: owner })).body
            .items[0],
        { timeout: 10_000 },
      )
      .toMatchObject({ statusCode: null, error: expect.stringContaining('10.0.0.1') });
    expect(r.received).toHaveLength(0);
  });

  it("sends an org's events to its company's endpoints too", async () => {
    const company = await newCompanyWithOrg();
    const r = await receiver();
    const { secret } = await addWebhook(`companies/${company.id}`, r.url);
    const eventId = await changeSeats(company.org.id, 17);
    const [got] = await r.waitFor(1);
    expect(header(got!, 'webhook-id')).toBe(eventId);
    expect(verifyDelivery(secret, got!.body, got!.headers)).toMatchObject({
      data: { orgId: company.org.id, companyId: company.id },
    });
  });

  it('puts every event on the local EventBridge bus with the §11 shape', async () => {
    const org = await newOrg();
    const eventId = await changeSeats(org.id, 18);
    const find = async () => {
      const res = await fetch(new URL('/_local/events', localStack().apiUrl));
      const { items } = (await res.json()) as {
        items: { source: string; detailType: string; detail: { id: string } }[];
      };
      return items.find((e) => e.detail?.id === eventId);
    };
    await expect.poll(find, { timeout: 10_000 }).toBeDefined();
    expect(await find()).toMatchObject({
      source: 'provisio',
      detailType: 'seats_changed',
      eventBusName: 'provisio-local',
      detail: {
        id: eventId,
        type: 'seats_changed',
        orgId: org.id,
        at: expect.any(String),
        actor: owner,
        details: expect.any(Object),
      },
    });
  });

  it('a redelivered batch re-sends with the same ids (the receiver dedupes)', async () => {
    const org = await newOrg();
    const r = await receiver();
    const { id, secret } = await addWebhook(`orgs/${org.id}`, r.url);
    const eventId = await changeSeats(org.id, 19);
    await r.waitFor(1);
    // What SQS hands out again when a worker dies before deleting its batch: the same messages.
    const message = {
      webhookId: id,
      scope: { type: 'org', id: org.id },
      event: {
        id: eventId,
        type: 'seats_changed',
        at: new Date().toISOString(),
        seq: null,
        orgId: org.id,
        companyId: null,
        actor: owner,
        subject: org.id,
        details: {},
      },
      attempt: 1,
      dueAt: null,
    };
    const record = (n: number) => ({
      messageId: `m-${eventId}-${n}`,
      receiptHandle: 'r',
      body: JSON.stringify(message),
      attributes: { ApproximateReceiveCount: '2' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:provisio-webhooks',
      awsRegion: 'us-east-1',
    });
    const out = await invokeFunction(functionSpecs.webhookDelivery.localName, {
      Records: [record(1), record(2)],
    });
    expect(out.error).toBeUndefined();
    expect(out.payload).toEqual({ batchItemFailures: [] });
    const got = await r.waitFor(3);
    expect(new Set(got.map((g) => header(g, 'webhook-id')))).toEqual(new Set([eventId]));
    for (const g of got) expect(verifyDelivery(secret, g.body, g.headers)).toBeTruthy();
  });

  it('a redelivered stream batch queues the same event again, with the same id', async () => {
    const org = await newOrg();
    const r = await receiver();
    await addWebhook(`orgs/${org.id}`, r.url);
    const eventId = await changeSeats(org.id, 20);
    await r.waitFor(1);
    const { Items = [] } = await env.db.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': `ORG#${org.id}`, ':event': 'EVENT#' },
      }),
    );
    const item = Items.find((i) => i.id === eventId)!;
    // What Lambda hands the publisher again when it died before the batch was checkpointed.
    const record = {
      eventID: '1',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: item.pk, sk: item.sk }),
        NewImage: marshall(item, { removeUndefinedValues: true }),
        SequenceNumber: '1',
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const out = await invokeFunction(functionSpecs.webhookPublisher.localName, {
      Records: [record],
    });
    expect(out.error).toBeUndefined();
    expect(out.payload).toEqual({ batchItemFailures: [] });
    const got = await r.waitFor(2);
    expect(got.map((g) => header(g, 'webhook-id'))).toEqual([eventId, eventId]);
  });
});
