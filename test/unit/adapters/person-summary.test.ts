/**
 * The person summary's update expression and its reading back: pure, no table. The table-backed
 * behaviour (every writer keeps it equal to the items) is in test/integration/person-summary.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  accountItem,
  invitationItem,
  memberItem,
  noticeItem,
  orgItem,
  readPerson,
  teamMemberItem,
} from '../../../shared/adapters/dynamodb/items.ts';
import { readSummary, SummaryChanges } from '../../../shared/adapters/dynamodb/person-summary.ts';
import { keys } from '../../../shared/table/schema.ts';

const AT = '2026-11-23T10:00:00.000Z';
const email = 'ann@example.com';
const membership = {
  orgId: 'org_1',
  orgName: 'acme',
  role: 'member' as const,
  via: 'admin' as const,
  joinedAt: AT,
};

/** Applies an Update's `SET a = :v, b.c = :w REMOVE d` to an item, as DynamoDB would. */
function applyUpdate(
  item: Record<string, unknown>,
  update: {
    UpdateExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  },
): Record<string, unknown> {
  const out = structuredClone(item);
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  const [set = '', remove = ''] = update.UpdateExpression!.replace(/^SET /, '').split(' REMOVE ');
  for (const clause of set.split(', ')) {
    const [path, value] = clause.split(' = ') as [string, string];
    const [top, nested] = path.split('.').map((p) => names[p]!);
    if (nested) (out[top!] as Record<string, unknown>)[nested] = values[value];
    else out[top!] = values[value];
  }
  for (const name of remove ? remove.split(', ') : []) delete out[names[name]!];
  return out;
}

describe('SummaryChanges', () => {
  it('writes nothing when nothing mirrored changed', () => {
    const changes = new SummaryChanges();
    changes.put(
      orgItem({
        id: 'org_1',
        name: 'acme',
        companyId: null,
        seatLimit: null,
        seatsUsed: 0,
        ownerCount: 0,
        createdAt: AT,
      }),
    );
    changes.delete(keys.companyOwner('co_1', email));
    expect(changes.items('t')).toEqual([]);
  });

  it('updates one summary per person, whatever the number of changes', () => {
    const changes = new SummaryChanges();
    changes.put(memberItem(email, membership));
    changes.put(teamMemberItem(email, { orgId: 'org_1', team: 'dev', via: 'admin' }, AT));
    changes.delete(keys.invitation('org_2', email));
    changes.put(memberItem('bob@example.com', membership));
    const items = changes.items('t');
    expect(items.map((i) => i.Update?.Key)).toEqual([
      keys.personSummary(email),
      keys.personSummary('bob@example.com'),
    ]);
    expect(items[0]!.Update!.UpdateExpression).toBe(
      'SET #entity = :entity, #m0 = :m0, #m1 = :m1 REMOVE #m2',
    );
    expect(items[0]!.Update!.ExpressionAttributeNames).toMatchObject({
      '#m0': 'MEMBER#org_1',
      '#m1': 'MEMBER#org_1#TEAM#dev',
      '#m2': 'INVITE#org_2',
    });
  });

  it('reads back as the items it mirrors, keys and email left out', () => {
    const items = [
      memberItem(email, membership),
      teamMemberItem(email, { orgId: 'org_1', team: 'dev', via: 'group-mapping' }, AT),
      invitationItem(email, {
        orgId: 'org_2',
        orgName: 'beta',
        role: 'owner',
        team: null,
        invitedBy: 'boss@example.com',
        createdAt: AT,
      }),
      noticeItem(email, 'seat-limit', 'org_3', AT),
    ];
    const changes = new SummaryChanges();
    for (const item of items) changes.put(item);
    const summary = applyUpdate({ ...keys.personSummary(email) }, changes.items('t')[0]!.Update!);
    expect(summary['MEMBER#org_1']).not.toHaveProperty('email');
    expect(summary['MEMBER#org_1']).not.toHaveProperty('gsi1pk');
    expect(readPerson(readSummary(summary))).toEqual(readPerson(items));
  });

  it('changes a role in place, or in the value put by the same transaction', () => {
    const key = keys.member('org_1', email);
    const inPlace = new SummaryChanges();
    inPlace.setFields(key, { role: 'owner' });
    const summary = applyUpdate(
      { ...keys.personSummary(email), 'MEMBER#org_1': { ...membership } },
      inPlace.items('t')[0]!.Update!,
    );
    expect(readPerson(readSummary(summary)).memberships[0]?.role).toBe('owner');

    const afterPut = new SummaryChanges();
    afterPut.put(memberItem(email, membership));
    afterPut.setFields(key, { role: 'owner' });
    const update = afterPut.items('t')[0]!.Update!;
    expect(update.UpdateExpression).toBe('SET #entity = :entity, #m0 = :m0');
    expect(update.ExpressionAttributeValues?.[':m0']).toMatchObject({ role: 'owner' });
  });

  it('a later change of the same item replaces an earlier one', () => {
    const changes = new SummaryChanges();
    changes.put(memberItem(email, membership));
    changes.delete(keys.member('org_1', email));
    expect(changes.items('t')[0]!.Update!.UpdateExpression).toBe(
      'SET #entity = :entity REMOVE #m0',
    );
  });

  it('mirrors the account, and a name changed in place with the time it changed', () => {
    const account = accountItem({ email, username: 'ann1234', name: 'Ann', createdAt: AT });
    const created = new SummaryChanges();
    created.put(account);
    const summary = applyUpdate({ ...keys.personSummary(email) }, created.items('t')[0]!.Update!);
    expect(readPerson(readSummary(summary)).account).toEqual({
      email,
      username: 'ann1234',
      name: 'Ann',
    });

    const renamed = new SummaryChanges();
    renamed.setFields(keys.account(email), { name: 'Ann Lee' });
    renamed.setFields(keys.account(email), { updatedAt: AT });
    const update = renamed.items('t')[0]!.Update!;
    expect(update.UpdateExpression).toBe(
      'SET #entity = :entity, #m0.#m0f0 = :m0f0, #m0.#m0f1 = :m0f1',
    );
    const after = applyUpdate(summary, update);
    expect(readPerson(readSummary(after)).account?.name).toBe('Ann Lee');
    expect(after.ACCOUNT).toMatchObject({ updatedAt: AT, username: 'ann1234' });
  });
});

describe('readSummary', () => {
  it('reads no summary as no items, and ignores attributes that mirror nothing', () => {
    expect(readSummary(undefined)).toEqual([]);
    expect(
      readSummary({ ...keys.personSummary(email), entity: 'personSummary', 'MEMBER#x': 'text' }),
    ).toEqual([]);
  });
});
