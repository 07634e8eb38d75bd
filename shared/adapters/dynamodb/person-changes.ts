/**
 * The writes that follow from writing a person's items, kept in one place so that no writer can
 * forget one:
 *
 * - the person summary, updated in the same transaction;
 * - the org-owner index entry (`ACCOUNT#<email>` / `ORGOWNER#<orgId>`, on gsi1 `ORG#<orgId>` /
 *   `OWNER#<email>`), present while the membership's role is owner and it is not suspended
 *   (SPEC §10: a suspended owner counts as no owner), so that the notifier reads
 *   an org's owners without reading its members.
 *
 * The person summary (`ACCOUNT#<email>` / `SUMMARY`) is one item mirroring what the sign-in decides
 * on in the person's partition (account, memberships, team memberships, invitations, notices),
 * one attribute per mirrored item, named by that item's sort key and holding its attributes but
 * the keys. It lets the sign-in read the person, the email's domain and the SSO provider in one
 * BatchGet (SPEC §3.6) instead of a Query beside a BatchGet.
 *
 * The rule that keeps both true: every transaction that writes an item of a person's partition
 * records the write in a `PersonChanges` and appends its `items()` to the same transaction. The
 * sign-in store and the admin store both do; `bench/invariants.ts` checks the summary and the
 * owner entries against the items. The items stay the source for everything else (the org-side
 * views on gsi1, the admin API).
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Role, SignInMethod } from '../../model/types.ts';
import { countsAsOwner } from '../../rules/owners.ts';
import { attr, type Key, keys, PERSON_SUMMARY_SK, prefix } from '../../table/schema.ts';
import { type Entity, orgOwnerItem } from './items.ts';
import { keyOf } from './query.ts';

const ENTITY: Entity = 'personSummary';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Sort-key prefixes of the items the summary mirrors (team memberships are `MEMBER#…#TEAM#…`;
 * company ownerships serve `GET /v1/me`, SPEC §9; SCIM deactivations deny the SSO sign-in, §10).
 */
const MIRRORED = [
  prefix.member,
  prefix.invitation,
  prefix.notice,
  prefix.companyOwner,
  prefix.scimDeactivated,
] as const;
/** The account's sort key: mirrored too. */
const ACCOUNT_SK = keys.account('').sk;

const PERSON = keys.person('');

/** A membership item that makes its person an owner (shared/rules/owners.ts). */
const owns = (item: Record<string, unknown>) =>
  countsAsOwner({ role: item.role, suspended: item.suspended });

/** Whether the summary mirrors an item with this sort key (of a person's partition). */
export const isMirrored = (sk: string): boolean =>
  sk === ACCOUNT_SK || MIRRORED.some((p) => sk.startsWith(p));

/** What the summary keeps of an item: everything but its keys and the person's email. */
function mirrorValue(item: Record<string, unknown>): Record<string, unknown> {
  const {
    [attr.pk]: _pk,
    [attr.sk]: _sk,
    [attr.gsi1pk]: _gsi1pk,
    [attr.gsi1sk]: _gsi1sk,
    email: _email,
    ...rest
  } = item;
  return rest;
}

/** The summary item's own key for the person whose partition is `pk`. */
const summaryKeyOf = (pk: string): Key => ({ pk, sk: PERSON_SUMMARY_SK });

/**
 * The summary's revision, counted up by every write of it: a rebuild from the person's items
 * is conditioned on it, so that no write made between its read and its commit is lost.
 */
export const SUMMARY_REV = 'summaryRev';

/**
 * SPEC §13: the day of the person's first sign-in that day and how they signed in, kept on the
 * summary itself (not a mirror: no item of the partition holds them), so that the sign-in reads
 * it with the person and writes it at most once a day.
 */
export const LAST_SIGN_IN_ON = 'lastSignInOn';
export const LAST_SIGN_IN_METHOD = 'lastSignInMethod';

/** The summary's own attributes that a rebuild from the items keeps as they were. */
const OWN = [LAST_SIGN_IN_ON, LAST_SIGN_IN_METHOD] as const;

/** The email of the person whose partition is `pk`. */
const emailOf = (pk: string): string => pk.slice(PERSON.length);

/** A person's items as read, for rebuilding their summary (`PersonChanges.rebuild`). */
export interface PersonItems {
  /** Every item of the person's partition, the summary included when there is one. */
  items: Record<string, unknown>[];
}

/**
 * The summary's mirrored attributes as items of the person's partition (`sk`, the person's
 * email and the item's attributes), so that `readPerson` reads a summary as it reads the
 * partition.
 */
export function readSummary(item: Record<string, unknown> | undefined): Record<string, unknown>[] {
  if (!item || typeof item[attr.pk] !== 'string') return [];
  const email = (item[attr.pk] as string).slice(PERSON.length);
  const items: Record<string, unknown>[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (isMirrored(name) && value && typeof value === 'object' && !Array.isArray(value)) {
      items.push({ ...(value as Record<string, unknown>), email, [attr.sk]: name });
    }
  }
  return items;
}

type Change = { op: 'set'; value: Record<string, unknown> } | { op: 'remove' };

/** The writes of one transaction that follow from its person items: summaries, owner entries. */
export class PersonChanges {
  private readonly people = new Map<string, Map<string, Change>>();
  /** People whose summary is rewritten whole from their items: pk → the items as read. */
  private readonly rebuilt = new Map<string, Record<string, unknown>[]>();
  /** Whether each (person, org) touched is an owner once the transaction is written. */
  private readonly owners = new Map<string, { email: string; orgId: string; owner: boolean }>();
  /** People whose sign-in of the day is recorded on their summary: pk → day and method. */
  private readonly signIns = new Map<string, { on: string; method: SignInMethod }>();

  /** Records a membership's role; `key` is the membership's. */
  private owner(key: Key, owner: boolean, onlyIfKnown = false): void {
    if (!key.pk.startsWith(PERSON) || !key.sk.startsWith(prefix.member)) return;
    if (key.sk.includes(prefix.teamInfix)) return;
    const id = keyOf(key);
    if (onlyIfKnown && !this.owners.has(id)) return;
    this.owners.set(id, {
      email: key.pk.slice(PERSON.length),
      orgId: key.sk.slice(prefix.member.length),
      owner,
    });
  }

  private change(key: Key, change: Change): void {
    if (!key.pk.startsWith(PERSON) || !isMirrored(key.sk)) return;
    const changes = this.people.get(key.pk) ?? new Map<string, Change>();
    this.people.set(key.pk, changes);
    // A later change of the same item replaces an earlier one.
    changes.set(key.sk, change);
  }

  /** An item put (created or replaced) in the person's partition. */
  put(item: Record<string, unknown> & Key): void {
    this.change(item, { op: 'set', value: mirrorValue(item) });
    // A membership put as a member needs no owner entry removed, unless this transaction made one.
    this.owner(item, owns(item), !owns(item));
  }

  /**
   * An item deleted from the person's partition; for a membership, `role` is its role when the
   * writer knows it (a member's removal needs no owner entry deleted).
   */
  delete(key: Key, role?: Role): void {
    this.change(key, { op: 'remove' });
    this.owner(key, false, role === 'member');
  }

  /**
   * An item changed in place (a membership's role, an account's name); `item` is all of it
   * after the change. The summary gets the whole value, never a field of it: a field path into
   * a mirror the summary lacks is refused by DynamoDB (ValidationException), so a summary that
   * had drifted would fail every later write of the person.
   */
  updated(item: Record<string, unknown> & Key): void {
    this.change(item, { op: 'set', value: mirrorValue(item) });
    if (item.role !== undefined) this.owner(item, owns(item));
  }

  /**
   * SPEC §13: records the person's sign-in of the day (`on`, YYYY-MM-DD) on their summary, which
   * then carries the domain audit's index key. The sign-in asks only when the summary does not
   * say `on` already, and only for a person with an account (SPEC §8: an unproven sign-in writes
   * nothing about the person).
   */
  signedIn(email: string, on: string, method: SignInMethod): void {
    const pk = keys.person(email);
    this.signIns.set(pk, { on, method });
    if (!this.people.has(pk)) this.people.set(pk, new Map());
  }

  /**
   * Rewrites the person's summary whole from their items as read (and this transaction's
   * changes), conditioned on the summary's revision as read: the repair of a summary that
   * drifted from the items (`processSignIn`, `npm run check:consistency`).
   */
  rebuild(read: PersonItems): void {
    const pk = read.items.find((i) => typeof i[attr.pk] === 'string')?.[attr.pk];
    if (typeof pk !== 'string' || !pk.startsWith(PERSON)) return;
    this.rebuilt.set(pk, read.items);
    if (!this.people.has(pk)) this.people.set(pk, new Map());
  }

  /** One summary Update per person touched, one owner entry Put or Delete per membership. */
  items(tableName: string): TransactItem[] {
    const owners = [...this.owners.values()].map(({ email, orgId, owner }): TransactItem => {
      const item = orgOwnerItem(orgId, email);
      return owner
        ? { Put: { TableName: tableName, Item: item } }
        : { Delete: { TableName: tableName, Key: { pk: item.pk, sk: item.sk } } };
    });
    return [...this.summaries(tableName), ...owners];
  }

  private summaries(tableName: string): TransactItem[] {
    return [...this.people].map(([pk, changes]) => {
      const read = this.rebuilt.get(pk);
      return read
        ? this.rewrite(tableName, pk, read, changes)
        : this.update(tableName, pk, changes);
    });
  }

  private update(tableName: string, pk: string, changes: Map<string, Change>): TransactItem {
    const names: Record<string, string> = { '#entity': 'entity', '#rev': SUMMARY_REV };
    const values: Record<string, unknown> = { ':entity': ENTITY, ':one': 1 };
    const sets = ['#entity = :entity'];
    const removes: string[] = [];
    let i = 0;
    for (const [sk, change] of changes) {
      const n = `#m${i}`;
      const v = `:m${i}`;
      i++;
      names[n] = sk;
      if (change.op === 'set') {
        sets.push(`${n} = ${v}`);
        values[v] = change.value;
      } else {
        removes.push(n);
      }
    }
    const signIn = this.signIns.get(pk);
    if (signIn) {
      names['#lastOn'] = LAST_SIGN_IN_ON;
      names['#lastMethod'] = LAST_SIGN_IN_METHOD;
      values[':lastOn'] = signIn.on;
      values[':lastMethod'] = signIn.method;
      sets.push('#lastOn = :lastOn', '#lastMethod = :lastMethod');
    }
    // SPEC §13: a summary that mirrors an account is listed under its email's domain. Written
    // whenever the account is or the day's sign-in is; accounts older than the index get it at
    // their next sign-in (docs/data-model.md).
    const account = changes.get(ACCOUNT_SK);
    if (signIn || account?.op === 'set') {
      const index = keys.personByDomain(emailOf(pk));
      names['#gsi1pk'] = attr.gsi1pk;
      names['#gsi1sk'] = attr.gsi1sk;
      values[':gsi1pk'] = index.gsi1pk;
      values[':gsi1sk'] = index.gsi1sk;
      sets.push('#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk');
    }
    return {
      Update: {
        TableName: tableName,
        Key: summaryKeyOf(pk),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''} ADD #rev :one`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  private rewrite(
    tableName: string,
    pk: string,
    items: Record<string, unknown>[],
    changes: Map<string, Change>,
  ): TransactItem {
    const summary = items.find((i) => i[attr.sk] === PERSON_SUMMARY_SK);
    const rev =
      typeof summary?.[SUMMARY_REV] === 'number' ? (summary[SUMMARY_REV] as number) : null;
    const mirrors: Record<string, unknown> = {};
    for (const item of items) {
      const sk = item[attr.sk];
      if (typeof sk === 'string' && isMirrored(sk)) mirrors[sk] = mirrorValue(item);
    }
    for (const [sk, change] of changes) {
      if (change.op === 'set') mirrors[sk] = change.value;
      else delete mirrors[sk];
    }
    const own: Record<string, unknown> = {};
    for (const name of OWN) if (summary?.[name] !== undefined) own[name] = summary[name];
    const signIn = this.signIns.get(pk);
    if (signIn) {
      own[LAST_SIGN_IN_ON] = signIn.on;
      own[LAST_SIGN_IN_METHOD] = signIn.method;
    }
    return {
      Put: {
        TableName: tableName,
        Item: {
          ...mirrors,
          ...own,
          ...(mirrors[ACCOUNT_SK] ? keys.personByDomain(emailOf(pk)) : {}),
          ...summaryKeyOf(pk),
          entity: ENTITY,
          [SUMMARY_REV]: (rev ?? 0) + 1,
        },
        ConditionExpression: rev === null ? 'attribute_not_exists(#rev)' : '#rev = :rev',
        ExpressionAttributeNames: { '#rev': SUMMARY_REV },
        ...(rev === null ? {} : { ExpressionAttributeValues: { ':rev': rev } }),
      },
    };
  }
}
