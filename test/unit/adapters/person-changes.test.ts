/**
 * The person summary's update expression and its reading back: pure, no table. The table-backed
 * behaviour (every writer keeps it equal to the items) is in test/integration/person-changes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  accountItem,
  invitationItem,
  memberItem,
  noticeItem,
  orgItem,
  orgOwnerItem,
  readPerson,
  teamMemberItem,
} from '../../../shared/adapters/dynamodb/items.ts';
import { PersonChanges, readSummary } from '../../../shared/adapters/dynamodb/person-changes.ts';
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

const ownerInvitation = invitationItem(email, {
  orgId: 'org_2',
  orgName: 'beta',
  role: 'owner',
  team: null,
  invitedBy: 'boss@example.com',
  createdAt: AT,
  sentAt: AT,
  expiresAt: '2026-12-07T10:00:00.000Z',
});

/** Applies an Update's `SET a = :v, b.c = :w REMOVE d ADD n :one` to an item, as DynamoDB would. */
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
  const [setAndRemove = '', add = ''] = update.UpdateExpression!.split(' ADD ');
  for (const clause of add ? add.split(', ') : []) {
    const [name, value] = clause.split(' ') as [string, string];
    out[names[name]!] = Number(out[names[name]!] ?? 0) + Number(values[value]);
  }
  const [set = '', remove = ''] = setAndRemove.replace(/^SET /, '').split(' REMOVE ');
  for (const clause of set.split(', ')) {
    const [path, value] = clause.split(' = ') as [string, string];
    const [top, nested] = path.split('.').map((p) => names[p]!);
    if (nested) (out[top!] as Record<string, unknown>)[nested] = values[value];
    else out[top!] = values[value];
  }
  for (const name of remove ? remove.split(', ') : []) delete out[names[name]!];
  return out;
}

describe('PersonChanges', () => {
  it('writes nothing when nothing mirrored changed', () => {
    const changes = new PersonChanges();
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
    // An owner index entry lives in the person's partition but is not mirrored.
    changes.delete(keys.orgOwner('org_1', email));
    expect(changes.items('t')).toEqual([]);
  });

  it('updates one summary per person, whatever the number of changes', () => {
    const changes = new PersonChanges();
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
      'SET #entity = :entity, #m0 = :m0, #m1 = :m1 REMOVE #m2 ADD #rev :one',
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
      ownerInvitation,
      noticeItem(email, 'seat-limit', 'org_3', AT),
    ];
    const changes = new PersonChanges();
    for (const item of items) changes.put(item);
    const summary = applyUpdate({ ...keys.personSummary(email) }, changes.items('t')[0]!.Update!);
    expect(summary['MEMBER#org_1']).not.toHaveProperty('email');
    expect(summary['MEMBER#org_1']).not.toHaveProperty('gsi1pk');
    expect(readPerson(readSummary(summary))).toEqual(readPerson(items));
  });

  it('changes a role in place, or in the value put by the same transaction', () => {
    const promoted = memberItem(email, { ...membership, role: 'owner' });
    const inPlace = new PersonChanges();
    inPlace.updated(promoted);
    const summary = applyUpdate(
      { ...keys.personSummary(email), 'MEMBER#org_1': { ...membership } },
      inPlace.items('t')[0]!.Update!,
    );
    expect(readPerson(readSummary(summary)).memberships[0]?.role).toBe('owner');

    const afterPut = new PersonChanges();
    afterPut.put(memberItem(email, membership));
    afterPut.updated(promoted);
    const update = afterPut.items('t')[0]!.Update!;
    expect(update.UpdateExpression).toBe('SET #entity = :entity, #m0 = :m0 ADD #rev :one');
    expect(update.ExpressionAttributeValues?.[':m0']).toMatchObject({ role: 'owner' });
  });

  it('writes a change in place whole, so a summary that lost the mirror gets it back', () => {
    // A field path into a map the summary lacks is a ValidationException in DynamoDB.
    const changes = new PersonChanges();
    changes.updated(memberItem(email, { ...membership, role: 'owner' }));
    const update = changes.items('t')[0]!.Update!;
    expect(update.UpdateExpression).not.toContain('.');
    const summary = applyUpdate({ ...keys.personSummary(email) }, update);
    expect(readPerson(readSummary(summary)).memberships).toEqual([
      { ...membership, role: 'owner' },
    ]);
  });

  it('a later change of the same item replaces an earlier one', () => {
    const changes = new PersonChanges();
    changes.put(memberItem(email, membership));
    changes.delete(keys.member('org_1', email));
    expect(changes.items('t')[0]!.Update!.UpdateExpression).toBe(
      'SET #entity = :entity REMOVE #m0 ADD #rev :one',
    );
  });

  it('mirrors the account, and a name changed in place with the time it changed', () => {
    const account = accountItem({ email, username: 'ann1234', name: 'Ann', createdAt: AT });
    const created = new PersonChanges();
    created.put(account);
    const summary = applyUpdate({ ...keys.personSummary(email) }, created.items('t')[0]!.Update!);
    expect(readPerson(readSummary(summary)).account).toEqual({
      email,
      username: 'ann1234',
      name: 'Ann',
      createdAt: AT,
    });

    const renamed = new PersonChanges();
    renamed.updated({ ...account, name: 'Ann Lee', updatedAt: AT });
    const update = renamed.items('t')[0]!.Update!;
    expect(update.UpdateExpression).toBe(
      'SET #entity = :entity, #m0 = :m0, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk ADD #rev :one',
    );
    const after = applyUpdate(summary, update);
    expect(readPerson(readSummary(after)).account?.name).toBe('Ann Lee');
    expect(after.ACCOUNT).toMatchObject({ updatedAt: AT, username: 'ann1234' });
  });
});

describe('the domain audit index and the day of the last sign-in (SPEC §13)', () => {
  const account = accountItem({ email, username: 'ann1234', name: 'Ann', createdAt: AT });

  it('lists a summary under its email domain when the account is written, not for other items', () => {
    const created = new PersonChanges();
    created.put(account);
    const summary = applyUpdate({ ...keys.personSummary(email) }, created.items('t')[0]!.Update!);
    expect(summary).toMatchObject({ gsi1pk: 'EMAILDOMAIN#example.com', gsi1sk: email });

    // An invitation alone (a person who never signed in) is no account: not listed.
    const invited = new PersonChanges();
    invited.put(ownerInvitation);
    const bare = applyUpdate({ ...keys.personSummary(email) }, invited.items('t')[0]!.Update!);
    expect(bare.gsi1pk).toBeUndefined();
    expect(bare.gsi1sk).toBeUndefined();
  });

  it('records the day and method of a sign-in with the index key, merged into the same update', () => {
    const changes = new PersonChanges();
    changes.put(memberItem(email, membership));
    changes.signedIn(email, '2026-11-23', 'sso');
    const items = changes.items('t');
    // One summary update for the person (a transaction touches an item once) and the owner entry none.
    expect(items.filter((i) => i.Update)).toHaveLength(1);
    const summary = applyUpdate({ ...keys.personSummary(email) }, items[0]!.Update!);
    expect(summary).toMatchObject({
      lastSignInOn: '2026-11-23',
      lastSignInMethod: 'sso',
      gsi1pk: 'EMAILDOMAIN#example.com',
      gsi1sk: email,
      summaryRev: 1,
    });
    // Not a mirror: reading the summary back finds no item for it.
    expect(readSummary(summary).map((i) => i.sk)).toEqual(['MEMBER#org_1']);
  });

  it('writes the sign-in alone as one summary update without a condition', () => {
    const changes = new PersonChanges();
    changes.signedIn(email, '2026-11-24', 'password');
    const items = changes.items('t');
    expect(items).toHaveLength(1);
    expect(items[0]!.Update!.Key).toEqual(keys.personSummary(email));
    expect(items[0]!.Update!.ConditionExpression).toBeUndefined();
  });

  it('keeps the day, the method and the index key when the summary is rebuilt', () => {
    const changes = new PersonChanges();
    const drifted = {
      ...keys.personSummary(email),
      summaryRev: 3,
      lastSignInOn: '2026-11-20',
      lastSignInMethod: 'social',
    };
    changes.rebuild({ items: [account, drifted] });
    const item = changes.items('t')[0]!.Put!.Item as Record<string, unknown>;
    expect(item).toMatchObject({
      lastSignInOn: '2026-11-20',
      lastSignInMethod: 'social',
      gsi1pk: 'EMAILDOMAIN#example.com',
      gsi1sk: email,
    });
    // A rebuilt summary without an account is not listed.
    const none = new PersonChanges();
    none.rebuild({ items: [ownerInvitation] });
    expect((none.items('t')[0]!.Put!.Item as Record<string, unknown>).gsi1pk).toBeUndefined();
  });

  it('keys an IDNA domain as the email carries it (punycode, already normalised)', () => {
    expect(keys.personByDomain('ann@xn--bcher-kva.example')).toEqual({
      gsi1pk: 'EMAILDOMAIN#xn--bcher-kva.example',
      gsi1sk: 'ann@xn--bcher-kva.example',
    });
  });
});

describe('owner entries', () => {
  const owner = { ...membership, role: 'owner' as const };
  const ops = (changes: PersonChanges) =>
    changes
      .items('t')
      .filter((i) => !i.Update)
      .map((i) => (i.Put ? ['put', i.Put.Item] : ['delete', i.Delete?.Key]));

  it('puts one for a membership put as owner, none for a member', () => {
    const changes = new PersonChanges();
    changes.put(memberItem(email, owner));
    changes.put(memberItem('bob@example.com', membership));
    expect(ops(changes)).toEqual([['put', orgOwnerItem('org_1', email)]]);
  });

  it('follows role changes and removals, the last change of a transaction winning', () => {
    const key = keys.member('org_1', email);
    const promoted = new PersonChanges();
    promoted.updated(memberItem(email, owner));
    expect(ops(promoted)).toEqual([['put', orgOwnerItem('org_1', email)]]);

    const demoted = new PersonChanges();
    demoted.updated(memberItem(email, membership));
    const entry = keys.orgOwner('org_1', email);
    expect(ops(demoted)).toEqual([['delete', { pk: entry.pk, sk: entry.sk }]]);

    const removed = new PersonChanges();
    removed.put(memberItem(email, owner));
    removed.delete(key);
    expect(ops(removed)).toEqual([['delete', { pk: entry.pk, sk: entry.sk }]]);
  });

  it("deletes none for a member's removal, unless the same transaction made one", () => {
    const key = keys.member('org_1', email);
    const member = new PersonChanges();
    member.delete(key, 'member');
    expect(ops(member)).toEqual([]);

    const owner = new PersonChanges();
    owner.delete(key, 'owner');
    const entry = keys.orgOwner('org_1', email);
    expect(ops(owner)).toEqual([['delete', { pk: entry.pk, sk: entry.sk }]]);
  });

  it('ignores team memberships and invitations, whatever their role', () => {
    const changes = new PersonChanges();
    changes.put(teamMemberItem(email, { orgId: 'org_1', team: 'dev', via: 'admin' }, AT));
    changes.delete(keys.teamMember('org_1', 'dev', email));
    changes.put(ownerInvitation);
    expect(ops(changes)).toEqual([]);
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

describe('rebuilding a summary from the items', () => {
  const member = memberItem(email, membership);
  const account = accountItem({ email, username: 'ann1234', name: 'Ann', createdAt: AT });

  it('puts the whole summary from the items and the transaction’s changes, on the revision read', () => {
    const changes = new PersonChanges();
    const drifted = { ...keys.personSummary(email), entity: 'personSummary', summaryRev: 7 };
    changes.rebuild({ items: [account, member, drifted] });
    const team = teamMemberItem(email, { orgId: 'org_1', team: 'dev', via: 'jit' }, AT);
    changes.put(team);
    const [put] = changes.items('t');
    expect(put!.Put!.ConditionExpression).toBe('#rev = :rev');
    expect(put!.Put!.ExpressionAttributeValues).toEqual({ ':rev': 7 });
    const summary = put!.Put!.Item as Record<string, unknown>;
    expect(summary.summaryRev).toBe(8);
    expect(readPerson(readSummary(summary))).toEqual(readPerson([account, member, team]));
  });

  it('creates a missing summary, on the condition that none was written meanwhile', () => {
    const changes = new PersonChanges();
    changes.rebuild({ items: [account] });
    const [put] = changes.items('t');
    expect(put!.Put!.ConditionExpression).toBe('attribute_not_exists(#rev)');
    expect(readPerson(readSummary(put!.Put!.Item)).account?.username).toBe('ann1234');
  });
});
