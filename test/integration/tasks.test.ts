/**
 * Outbox tasks against DynamoDB Local: an org's history is indexed for its company a bounded
 * batch at a time, resuming where the last batch stopped, and running a batch again changes
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import { eventItem } from '../../shared/adapters/dynamodb/items.ts';
import { createTaskStore } from '../../shared/adapters/dynamodb/task-store.ts';
import { GSI1, keys } from '../../shared/table/schema.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;
beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
});
afterAll(async () => {
  await fx?.drop();
});

describe("indexing an org's history for its company", () => {
  it('indexes a bounded batch per run and resumes from its cursor, idempotently', async () => {
    const orgId = `org-${randomUUID().slice(0, 8)}`;
    const companyId = `co-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 7; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      await fx.db.send(
        new PutCommand({
          TableName: fx.tableName,
          Item: eventItem(
            {
              type: 'seats_changed',
              orgId,
              companyId: null,
              actor: 'a@x',
              subject: orgId,
              details: { i },
            },
            randomUUID(),
            at,
            // Events from before numbering (SPEC §11) and numbered ones: both are indexed.
            i < 3 ? null : i - 2,
          ),
        }),
      );
    }
    const tasks = createTaskStore(fx.db, fx.tableName);
    const runs: number[] = [];
    let from: string | undefined;
    do {
      const run = await tasks.indexOrgEvents(orgId, companyId, from, 3);
      runs.push(run.indexed);
      from = run.next;
    } while (from);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.max(...runs)).toBeLessThanOrEqual(3);
    const listed = async () =>
      (
        await fx.db.send(
          new QueryCommand({
            TableName: fx.tableName,
            IndexName: GSI1,
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': keys.companyEventIndex(companyId, '', '').gsi1pk },
          }),
        )
      ).Items ?? [];
    expect(await listed()).toHaveLength(7);
    // Again from the start: the same seven, no more.
    await tasks.indexOrgEvents(orgId, companyId, undefined, 100);
    expect(await listed()).toHaveLength(7);
  });
});
