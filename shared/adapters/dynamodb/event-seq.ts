/**
 * Event numbering (SPEC §11): each event of an org gets `seq`, the org's event counter, in the
 * transaction of the change that records it — 1, 2, 3, … with no gap and no repeat; a
 * company-level event numbers in its company the same way.
 *
 * A scope's counter is one item (`keys.eventCounter`, attribute `n`: the number of its last
 * event). The one sender (`transact.ts`) numbers every event item of a transaction just before
 * it goes out: it reads the counters of the scopes involved (or takes them from a read already
 * made), stamps `seq` (and the sort key it orders by) on the event items in order, and adds an
 * Update of each counter conditioned on the value read. Two changes that read the same value
 * cannot both commit: the loser's counter condition fails, DynamoDB hands back the counter as
 * it is now (`ReturnValuesOnConditionCheckFailure`), and the sender numbers again and resends;
 * the change's own conditions are checked anew by DynamoDB, so its decision is never re-run.
 * This module is the pure part: which scopes, what numbers, which counter items.
 */
import { EVENT_COUNTER_SK, eventSeqSk, MAX_EVENT_SEQ } from '../../table/schema.ts';
import type { TransactItem } from './transact.ts';

/** The attribute of a counter item holding the number of the scope's last event. */
export const COUNTER_ATTRIBUTE = 'n';

/** Counter values by scope partition key (`ORG#<id>`, `COMPANY#<id>`); absent counts as 0. */
export type Counters = ReadonlyMap<string, number>;

/** The event item a transaction item puts, if it puts one. */
function eventPut(item: TransactItem): Record<string, unknown> | undefined {
  const put = item.Put?.Item;
  return put && put.entity === 'event' ? put : undefined;
}

/** Whether a transaction records events (and so must be numbered). */
export const hasEvents = (items: readonly TransactItem[]): boolean =>
  items.some((i) => eventPut(i) !== undefined);

/** The scopes (partition keys) whose counters a transaction's events advance, in first-use order. */
export function eventScopes(items: readonly TransactItem[]): string[] {
  const scopes = new Set<string>();
  for (const item of items) {
    const e = eventPut(item);
    if (e) scopes.add(String(e.pk));
  }
  return [...scopes];
}

/** A counter's value from an item: a document client's (`n: 5`) or a raw one (`n: {N: '5'}`). */
export function counterValue(item: Record<string, unknown> | undefined): number {
  const raw = item?.[COUNTER_ATTRIBUTE];
  const n =
    typeof raw === 'number'
      ? raw
      : raw && typeof raw === 'object' && 'N' in raw
        ? Number((raw as { N: unknown }).N)
        : 0;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The key of a scope's counter item. */
export const counterKey = (scope: string) => ({ pk: scope, sk: EVENT_COUNTER_SK });

/** A transaction's items with its events numbered, and the counter updates that go with them. */
export interface Numbered {
  /** The items, in the same order, event items stamped with `seq` and their sort key. */
  items: TransactItem[];
  /** One conditional Update per scope, to append after the items. */
  counters: TransactItem[];
  /** The scope each counter item belongs to (same order as `counters`). */
  scopes: string[];
}

/**
 * Numbers the event items of a transaction from the counters read (`counters`; a scope not in
 * it counts as 0): the k-th event of a scope in item order gets `read + k`. Each counter is
 * set to its last number on the condition that it still holds the value read (absent for 0),
 * and hands back its value when that fails.
 */
export function numberEvents(
  tableName: string,
  items: readonly TransactItem[],
  counters: Counters,
): Numbered {
  const next = new Map<string, number>();
  const numbered = items.map((item): TransactItem => {
    const e = eventPut(item);
    if (!e) return item;
    const scope = String(e.pk);
    const seq = (next.get(scope) ?? counters.get(scope) ?? 0) + 1;
    if (seq > MAX_EVENT_SEQ) throw new RangeError(`The event counter of ${scope} is exhausted`);
    next.set(scope, seq);
    return { ...item, Put: { ...item.Put!, Item: { ...e, sk: eventSeqSk(seq), seq } } };
  });
  const scopes = [...next.keys()];
  const counterItems = scopes.map((scope): TransactItem => {
    const read = counters.get(scope) ?? 0;
    return {
      Update: {
        TableName: tableName,
        Key: counterKey(scope),
        UpdateExpression: 'SET #n = :last, entity = :entity',
        ConditionExpression: read === 0 ? 'attribute_not_exists(#n)' : '#n = :read',
        ExpressionAttributeNames: { '#n': COUNTER_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':last': next.get(scope)!,
          ':entity': 'eventCounter',
          ...(read === 0 ? {} : { ':read': read }),
        },
        // The counter as it is now comes back with a failed condition: no read before the resend.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  });
  return { items: numbered, counters: counterItems, scopes };
}
