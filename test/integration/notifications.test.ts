/**
 * SPEC §4 notifications: exactly one mail per owner (org and company owners), invitations to
 * invitees, nothing new on a replayed batch, and nothing lost while SES is unreachable.
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import {
  cognitoEvent,
  createSignInFixture,
  lambdaContext,
  type SignInFixture,
} from '../../local/sign-in-fixtures.ts';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import { ENV } from '../../shared/config.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminStackWithDns } from '../support/admin-suite.ts';
import { createUser, lambdaClient, localStack, signIn } from '../support/local-stack.ts';
import { eventually, mailTo, type SesMail } from '../support/mail.ts';

const settle = () => new Promise((r) => setTimeout(r, 1500));

function streamEvent(items: Record<string, unknown>[]): DynamoDBStreamEvent {
  return {
    Records: items.map((item, i) => ({
      eventID: randomUUID(),
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: marshall({ pk: item.pk, sk: item.sk }),
        NewImage: marshall(item, { removeUndefinedValues: true }),
        SequenceNumber: String(1000 + i),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    })) as DynamoDBStreamEvent['Records'],
  };
}

describe('through the local stack', () => {
  const { env, local, dns } = adminStackWithDns();

  it('mails every org owner and company owner exactly once, and the invitee its invitation', async () => {
    const companyOwner = await env.person('company-owner');
    const company = await env.api.call('POST', '/v1/companies', {
      as: companyOwner,
      body: { name: `Co ${uniqueSlug('x')}` },
    });
    expect(company.status).toBe(201);
    const org = await env.api.call('POST', '/v1/orgs', {
      as: companyOwner,
      body: { name: uniqueSlug('notify') },
    });
    const moved = await env.api.call('POST', `/v1/companies/${company.body.id}/orgs`, {
      as: companyOwner,
      body: { orgId: org.body.id },
    });
    expect(moved.status).toBe(200);

    // A second owner of the org joins by invitation, and gets the invitation by mail.
    const orgOwnerEmail = `org-owner-${randomUUID().slice(0, 8)}@example.test`;
    const invited = await env.api.call('POST', `/v1/orgs/${org.body.id}/invitations`, {
      as: companyOwner,
      body: { email: orgOwnerEmail, role: 'owner' },
    });
    expect(invited.status).toBe(201);
    const invitation = await eventually(
      () => mailTo(orgOwnerEmail),
      (m) => m.length > 0,
    );
    expect(invitation).toHaveLength(1);
    expect(invitation[0]!.subject).toBe(`You are invited to join ${org.body.name}`);
    expect(invitation[0]!.body.text).toContain(companyOwner);
    const orgOwner = await env.signInAs(orgOwnerEmail);

    // The company verifies a domain and provisions it into the org.
    const domain = `${uniqueSlug('co')}.example.test`;
    const added = await env.api.call('POST', `/v1/companies/${company.body.id}/domains`, {
      as: companyOwner,
      body: { domain },
    });
    dns.setTxt(domain, [added.body.txtRecord.value]);
    expect(
      (
        await local.call('POST', `/v1/companies/${company.body.id}/domains/${domain}/verify`, {
          as: companyOwner,
        })
      ).status,
    ).toBe(200);
    const enabled = await env.api.call(
      'PUT',
      `/v1/companies/${company.body.id}/domains/${domain}/auto-provisioning`,
      {
        as: companyOwner,
        body: { enabled: true, orgId: org.body.id },
      },
    );
    expect(enabled.status).toBe(200);

    await signIn(await createUser({ email: `hire@${domain}` }));
    const about = (m: SesMail[]) => m.filter((x) => x.subject.includes(`hire@${domain}`));
    const toCompanyOwner = await eventually(
      () => mailTo(companyOwner),
      (m) => about(m).length > 0,
    );
    const toOrgOwner = await eventually(
      () => mailTo(orgOwner),
      (m) => about(m).length > 0,
    );
    await settle();
    // The company owner also owns the org: one mail, not two.
    expect(about(await mailTo(companyOwner))).toHaveLength(1);
    expect(about(await mailTo(orgOwner))).toHaveLength(1);
    expect(about(toCompanyOwner)[0]!.subject).toBe(`hire@${domain} joined ${org.body.name}`);
    expect(about(toOrgOwner)).toHaveLength(1);
  });

  it('sends nothing new when the same stream batch is delivered again', async () => {
    const owner = await env.person('replay-owner');
    const org = await env.api.call('POST', '/v1/orgs', {
      as: owner,
      body: { name: uniqueSlug('replay') },
    });
    const invitee = `replay-${randomUUID().slice(0, 8)}@example.test`;
    await env.api.call('POST', `/v1/orgs/${org.body.id}/invitations`, {
      as: owner,
      body: { email: invitee },
    });
    await eventually(
      () => mailTo(invitee),
      (m) => m.length > 0,
    );
    const outbox = await scanAll(env.db, {
      TableName: env.tableName,
      FilterExpression: 'entity = :o AND notification.email = :e',
      ExpressionAttributeValues: { ':o': 'outbox', ':e': invitee },
    });
    expect(outbox).toHaveLength(1);
    const lambda = lambdaClient();
    try {
      for (let i = 0; i < 2; i++) {
        const out = await lambda.send(
          new InvokeCommand({
            FunctionName: functionSpecs.notifier.localName,
            Payload: Buffer.from(JSON.stringify(streamEvent(outbox))),
          }),
        );
        expect(out.FunctionError).toBeUndefined();
        expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ batchItemFailures: [] });
      }
    } finally {
      lambda.destroy();
    }
    await settle();
    expect(await mailTo(invitee)).toHaveLength(1);
  });
});

/** A TCP proxy to the local SES that can be taken down and brought back. */
async function sesProxy(
  target: URL,
): Promise<{ endpoint: string; up: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { up: true };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!state.up) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get up() {
      return state.up;
    },
    set up(value: boolean) {
      state.up = value;
      if (!value) for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('while SES is unreachable', () => {
  let fx: SignInFixture;
  let proxy: Awaited<ReturnType<typeof sesProxy>>;
  type Handler = (event: unknown, context: unknown) => Promise<unknown>;
  let trigger: Handler;
  let notifier: Handler;

  beforeAll(async () => {
    // A table of its own, which the stack's stream poller does not watch: this test plays the stream.
    fx = await createSignInFixture(localStack().dynamodb.endpoint);
    proxy = await sesProxy(new URL(localStack().ses.endpoint));
    process.env[ENV.tableName] = fx.tableName;
    process.env[ENV.dynamodbEndpoint] = localStack().dynamodb.endpoint;
    process.env[ENV.sesEndpoint] = proxy.endpoint;
    process.env[ENV.senderEmail] = 'no-reply@provisio.test';
    trigger = (await import('../../functions/sign-in/handler.ts')).handler as unknown as Handler;
    notifier = (await import('../../functions/notifier/handler.ts')).handler as unknown as Handler;
  });
  afterAll(async () => {
    await proxy?.close();
    await fx?.drop();
  });

  it('lets the sign-in through quickly and mails once SES is back, exactly once', async () => {
    const org = await fx.org(uniqueSlug('outage'));
    const owner = `outage-owner-${randomUUID().slice(0, 8)}@example.test`;
    await fx.member(owner, org, { role: 'owner' });
    const domain = `${uniqueSlug('outage')}.example.test`;
    await fx.verifiedDomain(domain, { type: 'org', id: org.id }, { autoProvisioning: org });

    proxy.up = false;
    const event = cognitoEvent({ email: `during@${domain}`, email_verified: 'true' });
    const started = performance.now();
    expect(await trigger(event, lambdaContext())).toBe(event);
    expect(performance.now() - started).toBeLessThan(1500);
    expect((await fx.members(org.id)).map((m) => m.email)).toContain(`during@${domain}`);

    const batch = streamEvent(await fx.outbox());
    expect(batch.Records).toHaveLength(1);
    const failed = (await notifier(batch, lambdaContext('provisio-notifier'))) as {
      batchItemFailures: unknown[];
    };
    expect(failed.batchItemFailures).toHaveLength(1);
    expect(await mailTo(owner)).toEqual([]);

    proxy.up = true;
    const retried = (await notifier(batch, lambdaContext('provisio-notifier'))) as {
      batchItemFailures: unknown[];
    };
    expect(retried.batchItemFailures).toEqual([]);
    const again = (await notifier(batch, lambdaContext('provisio-notifier'))) as {
      batchItemFailures: unknown[];
    };
    expect(again.batchItemFailures).toEqual([]);
    const mail = await mailTo(owner);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe(`during@${domain} joined ${org.name}`);
  });
});
