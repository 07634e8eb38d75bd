/**
 * `npm run check:consistency`: people whose summary or owner entries drifted from their items
 * are found, and with `--repair` fixed, a bounded number per run, resumably.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import { checkConsistency } from '../../shared/adapters/dynamodb/consistency.ts';
import { memberItem, orgOwnerItem } from '../../shared/adapters/dynamodb/items.ts';
import { ENV } from '../../shared/config.ts';
import { keys, primaryKey } from '../../shared/table/schema.ts';
import { adminDeps, inProcessApi, uniqueSlug } from '../support/admin-harness.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;
beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
});
afterAll(async () => {
  await fx?.drop();
});

/** Three people of one org, each drifted another way; the org's owner is in order. */
async function drifted() {
  const admin = inProcessApi(adminDeps(fx.db, fx.tableName, []));
  const owner = `owner-${uniqueSlug('o')}@drift.example`;
  const created = await admin.call('POST', '/v1/orgs', {
    as: owner,
    body: { name: uniqueSlug('c') },
  });
  const org = created.body as { id: string; name: string };
  const noSummary = `nosummary-${uniqueSlug('a')}@drift.example`;
  const noEntry = `noentry-${uniqueSlug('b')}@drift.example`;
  const extraEntry = `extra-${uniqueSlug('c')}@drift.example`;
  const membership = (role: 'owner' | 'member') => ({
    orgId: org.id,
    orgName: org.name,
    role,
    via: 'admin' as const,
    joinedAt: '2026-01-01T00:00:00.000Z',
  });
  // An item written without its summary.
  await fx.db.send(
    new PutCommand({ TableName: fx.tableName, Item: memberItem(noSummary, membership('member')) }),
  );
  // An owner whose owner entry went.
  const invited = await admin.call('POST', `/v1/orgs/${org.id}/invitations`, {
    as: owner,
    body: { email: noEntry, role: 'owner' },
  });
  expect(invited.status).toBe(201);
  await admin.call('DELETE', `/v1/orgs/${org.id}/invitations/${encodeURIComponent(noEntry)}`, {
    as: owner,
  });
  await fx.db.send(
    new PutCommand({ TableName: fx.tableName, Item: memberItem(noEntry, membership('owner')) }),
  );
  await fx.db.send(
    new UpdateCommand({
      TableName: fx.tableName,
      Key: keys.personSummary(noEntry),
      UpdateExpression: 'SET #m = :m',
      ExpressionAttributeNames: { '#m': `MEMBER#${org.id}` },
      ExpressionAttributeValues: { ':m': { entity: 'member', ...membership('owner') } },
    }),
  );
  // An owner entry without ownership.
  await fx.db.send(
    new PutCommand({ TableName: fx.tableName, Item: orgOwnerItem(org.id, extraEntry) }),
  );
  await fx.db.send(
    new UpdateCommand({
      TableName: fx.tableName,
      Key: keys.personSummary(extraEntry),
      UpdateExpression: 'SET entity = :e',
      ExpressionAttributeValues: { ':e': 'personSummary' },
    }),
  );
  return { owner, noSummary, noEntry, extraEntry };
}

describe('the consistency check', () => {
  it('finds each kind of drift, repairs it on request, and then finds none', async () => {
    const people = await drifted();
    const found = new Map<string, unknown>();
    const report = await checkConsistency(fx.db, fx.tableName, {
      onDrift: (d) => found.set(d.email, d),
    });
    expect(report).toMatchObject({ drifted: 3, repaired: 0, next: undefined });
    expect(found.get(people.noSummary)).toMatchObject({ summary: true });
    expect(found.get(people.noEntry)).toMatchObject({ ownerEntriesMissing: [expect.any(String)] });
    expect(found.get(people.extraEntry)).toMatchObject({ ownerEntriesExtra: [expect.any(String)] });
    expect(found.has(people.owner)).toBe(false);

    const repaired = await checkConsistency(fx.db, fx.tableName, { repair: true });
    expect(repaired).toMatchObject({ drifted: 3, repaired: 3, conflicts: 0 });
    expect(await checkConsistency(fx.db, fx.tableName)).toMatchObject({ drifted: 0 });
  });

  it('checks a bounded number of people per run and resumes where it stopped', async () => {
    const all = await checkConsistency(fx.db, fx.tableName);
    const seen: number[] = [];
    let from: string | undefined;
    do {
      const run = await checkConsistency(fx.db, fx.tableName, { maxPeople: 2, from });
      expect(run.checked).toBeLessThanOrEqual(2);
      seen.push(run.checked);
      from = run.next;
    } while (from);
    expect(seen.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(all.checked);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('runs as npm run check:consistency, failing while drift is left unrepaired', async () => {
    const email = `cli-${uniqueSlug('d')}@drift.example`;
    const org = await fx.org(uniqueSlug('cli'));
    await fx.db.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: memberItem(email, {
          orgId: org.id,
          orgName: org.name,
          role: 'member',
          via: 'admin',
          joinedAt: '2026-01-01T00:00:00.000Z',
        }),
      }),
    );
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/check-consistency.ts', ...args],
        {
          env: {
            ...process.env,
            [ENV.tableName]: fx.tableName,
            [ENV.dynamodbEndpoint]: dynamodbEndpoint(),
          },
        },
      ).then(
        (out) => ({ code: 0, stdout: out.stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const check = await run();
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`drifted: {"email":"${email}"`);
    const repair = await run('--repair');
    expect(repair.code, repair.stdout).toBe(0);
    expect(repair.stdout).toMatch(/\d+ repaired/);
    expect((await run()).code).toBe(0);
    await fx.db.send(
      new DeleteCommand({ TableName: fx.tableName, Key: primaryKey(keys.member(org.id, email)) }),
    );
  }, 60_000);
});
