/**
 * The stream-triggered notifier runs in the local stack as in AWS (SPEC §6): an outbox item
 * written to the table reaches the notifier through the table's stream, and its mail shows up
 * in the local SES.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { keys } from '../../shared/table/schema.ts';
import {
  dynamoDbClient,
  invocations,
  lastInvocationSeq,
  localStack,
  uniqueEmail,
} from '../support/local-stack.ts';

const require = createRequire(import.meta.url);
const ddb = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');

const dynamodb = dynamoDbClient();
afterAll(() => dynamodb.destroy());

interface SesMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

async function mailsTo(email: string): Promise<SesMail[]> {
  const response = await fetch(`${localStack().ses.endpoint}/store`);
  const { emails } = (await response.json()) as { emails: SesMail[] };
  return emails.filter((m) => m.destination.to.includes(email));
}

it('delivers an outbox item written to the table as a mail in the local SES', async () => {
  const since = await lastInvocationSeq();
  const invitee = uniqueEmail('invitee.example');
  const id = randomUUID();
  await dynamodb.send(
    new ddb.PutItemCommand({
      TableName: localStack().dynamodb.tableName,
      Item: {
        pk: { S: keys.outbox(id).pk },
        sk: { S: keys.outbox(id).sk },
        id: { S: id },
        notification: {
          M: {
            type: { S: 'invitation' },
            orgId: { S: 'org_local' },
            orgName: { S: 'acme' },
            companyId: { NULL: true },
            email: { S: invitee },
            name: { NULL: true },
            details: { M: { role: { S: 'member' }, team: { NULL: true } } },
          },
        },
      },
    }),
  );

  let mails: SesMail[] = [];
  for (let i = 0; i < 100 && mails.length === 0; i++) {
    await sleep(100);
    mails = await mailsTo(invitee);
  }
  expect(mails).toHaveLength(1);
  expect(mails[0]?.subject).toContain('acme');

  // The invocation is logged when it returns, which may be just after the mail went out.
  let calls = await invocations({ functionName: functionSpecs.notifier.localName, since });
  for (let i = 0; i < 50 && calls.length === 0; i++) {
    await sleep(100);
    calls = await invocations({ functionName: functionSpecs.notifier.localName, since });
  }
  const records = calls.flatMap(
    (c) => (c.event as { Records: { eventName: string; eventSourceARN: string }[] }).Records,
  );
  // Only outbox INSERTs pass the event source's filter.
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) {
    expect(record.eventName).toBe('INSERT');
    expect(record.eventSourceARN).toMatch(/\/stream\//);
  }
});
