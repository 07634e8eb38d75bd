/**
 * Event numbering's pure parts (SPEC §11): which scopes a transaction's events advance, the
 * numbers and counter updates it sends, and what a cancellation means for it. The sending and
 * resending against a table is in test/integration/events.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  counterValue,
  eventScopes,
  hasEvents,
  numberEvents,
} from '../../../shared/adapters/dynamodb/event-seq.ts';
import { eventItem, orgItem } from '../../../shared/adapters/dynamodb/items.ts';
import {
  afterCancellation,
  NUMBERING_ATTEMPTS,
  numberingBackoffMs,
  type TransactItem,
  takeTurns,
} from '../../../shared/adapters/dynamodb/transact.ts';
import { eventSeqSk, keys, MAX_EVENT_SEQ, prefix } from '../../../shared/table/schema.ts';

const T = 'table';
const AT = '2026-12-07T04:00:00.000Z';

const event = (orgId: string | null, companyId: string | null, id: string): TransactItem => ({
  Put: {
    TableName: T,
    Item: eventItem(
      { type: 'member_added', orgId, companyId, actor: 'a@x', subject: 's@x', details: {} },
      id,
      AT,
      null,
    ),
  },
});
const other: TransactItem = {
  Put: {
    TableName: T,
    Item: orgItem({
      id: 'o1',
      name: 'acme',
      companyId: null,
      seatLimit: null,
      seatsUsed: 1,
      ownerCount: 1,
      createdAt: AT,
    }),
    ConditionExpression: 'attribute_not_exists(pk)',
  },
};

const putItem = (i: TransactItem) => i.Put!.Item as Record<string, unknown>;

describe('event sort keys', () => {
  it('sort numbered events in number order, after every event from before numbering', () => {
    const sks = [eventSeqSk(10), eventSeqSk(9), eventSeqSk(100), `${prefix.event}${AT}#x`];
    expect([...sks].sort()).toEqual([
      `${prefix.event}${AT}#x`,
      eventSeqSk(9),
      eventSeqSk(10),
      eventSeqSk(100),
    ]);
    for (const sk of sks) expect(sk.startsWith(prefix.event)).toBe(true);
    // The counter item is in the scope's partition but outside every event list.
    expect(keys.eventCounter({ type: 'org', id: 'o1' }).sk.startsWith(prefix.event)).toBe(false);
  });

  it('refuse a number that is not a whole number within the key width', () => {
    for (const bad of [-1, 1.5, Number.NaN, MAX_EVENT_SEQ + 1]) {
      expect(() => eventSeqSk(bad)).toThrow(RangeError);
    }
    expect(eventSeqSk(MAX_EVENT_SEQ)).toBe(`${prefix.numberedEvent}999999999999`);
  });
});

describe('numbering a transaction', () => {
  it('finds the scopes of its events: the org, or the company for a company-level event', () => {
    const items = [
      event('o1', 'c1', 'e1'),
      other,
      event(null, 'c1', 'e2'),
      event('o1', null, 'e3'),
    ];
    expect(hasEvents(items)).toBe(true);
    expect(hasEvents([other])).toBe(false);
    expect(eventScopes(items)).toEqual(['ORG#o1', 'COMPANY#c1']);
  });

  it('numbers events from the counters read, in item order, per scope', () => {
    const items = [
      event('o1', 'c1', 'e1'),
      other,
      event(null, 'c1', 'e2'),
      event('o1', null, 'e3'),
    ];
    const out = numberEvents(T, items, new Map([['ORG#o1', 41]]));
    expect(out.items).toHaveLength(4);
    expect(out.items[1]).toBe(other);
    expect(putItem(out.items[0]!)).toMatchObject({ pk: 'ORG#o1', sk: eventSeqSk(42), seq: 42 });
    expect(putItem(out.items[3]!)).toMatchObject({ pk: 'ORG#o1', sk: eventSeqSk(43), seq: 43 });
    // No counter read for the company: absent counts as 0.
    expect(putItem(out.items[2]!)).toMatchObject({ pk: 'COMPANY#c1', sk: eventSeqSk(1), seq: 1 });
    // The company's activity index stays by time.
    expect(putItem(out.items[0]!).gsi1sk).toBe(`${prefix.event}${AT}#e1`);
    // The input is not changed: a resend numbers afresh.
    expect(putItem(items[0]!).seq).toBeUndefined();
    expect(out.scopes).toEqual(['ORG#o1', 'COMPANY#c1']);
  });

  it('sets each counter to its last number on the condition that it still holds the value read', () => {
    const items = [event('o1', null, 'e1'), event('o1', null, 'e2'), event(null, 'c1', 'e3')];
    const [org, company] = numberEvents(T, items, new Map([['ORG#o1', 7]])).counters;
    expect(org!.Update).toMatchObject({
      Key: { pk: 'ORG#o1', sk: 'EVENTSEQ' },
      ConditionExpression: '#n = :read',
      ExpressionAttributeValues: { ':last': 9, ':read': 7 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(company!.Update).toMatchObject({
      Key: { pk: 'COMPANY#c1', sk: 'EVENTSEQ' },
      ConditionExpression: 'attribute_not_exists(#n)',
      ExpressionAttributeValues: { ':last': 1 },
    });
    expect(company!.Update!.ExpressionAttributeValues).not.toHaveProperty(':read');
  });

  it('reads a counter from a document or a raw item, and anything else as 0', () => {
    expect(counterValue({ n: 5 })).toBe(5);
    expect(counterValue({ n: { N: '12' } })).toBe(12);
    for (const bad of [undefined, {}, { n: 'x' }, { n: -3 }, { n: 1.5 }, { n: { S: '4' } }]) {
      expect(counterValue(bad)).toBe(0);
    }
  });
});

describe('after a cancellation', () => {
  const scopes = ['ORG#o1', 'COMPANY#c1'];
  const read = new Map([
    ['ORG#o1', 3],
    ['COMPANY#c1', 0],
  ]);

  it('renumbers from the counters handed back when only counters moved', () => {
    const next = afterCancellation(
      ['None', 'None', 'ConditionalCheckFailed', 'None'],
      [undefined, undefined, { n: { N: '5' } }, undefined],
      2,
      scopes,
      read,
    );
    expect(next).toEqual({
      action: 'renumber',
      counters: new Map([
        ['ORG#o1', 5],
        ['COMPANY#c1', 0],
      ]),
    });
  });

  it('renumbers with the same counters after a transaction conflict alone', () => {
    const next = afterCancellation(
      ['None', 'TransactionConflict', 'None', 'None'],
      [],
      2,
      scopes,
      read,
    );
    expect(next).toEqual({ action: 'renumber', counters: read });
  });

  it("refuses when one of the change's own conditions failed, whatever the counters did", () => {
    expect(
      afterCancellation(
        ['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'None'],
        [undefined, undefined, { n: { N: '5' } }],
        2,
        scopes,
        read,
      ),
    ).toEqual({ action: 'refuse' });
    expect(afterCancellation(['None', 'None', 'None', 'None'], [], 2, scopes, read)).toEqual({
      action: 'refuse',
    });
  });
});

describe('the resend budget', () => {
  it('allows more sends than 50 writers of one scope need, with capped, jittered waits', () => {
    expect(NUMBERING_ATTEMPTS).toBeGreaterThan(50);
    expect(numberingBackoffMs(0, () => 0.999)).toBeLessThan(10);
    expect(numberingBackoffMs(30, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(numberingBackoffMs(30, () => 0)).toBe(0);
  });
});

describe('turns on a scope within one process', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const writer = (log: string[]) => (name: string, error?: Error) => async () => {
    log.push(`${name}:start`);
    await tick();
    log.push(`${name}:end`);
    if (error) throw error;
    return name;
  };

  it("runs one scope's writes one after another, other scopes alongside, and goes on after a refusal", async () => {
    const log: string[] = [];
    const write = writer(log);
    const results = await Promise.allSettled([
      takeTurns(['ORG#a'], write('a1', new Error('refused'))),
      takeTurns(['ORG#a', 'COMPANY#c'], write('a2')),
      takeTurns(['ORG#b'], write('b1')),
      takeTurns(['COMPANY#c'], write('c1')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const at = (e: string) => log.indexOf(e);
    expect(at('a2:start')).toBeGreaterThan(at('a1:end'));
    expect(at('c1:start')).toBeGreaterThan(at('a2:end'));
    // Another scope does not wait.
    expect(at('b1:start')).toBeLessThan(at('a1:end'));
  });

  it('goes ahead when the turns ahead stall (a table that does not answer)', async () => {
    const log: string[] = [];
    let unblock!: () => void;
    const stuck = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const first = takeTurns(
      ['ORG#a'],
      async () => {
        log.push('stuck:start');
        await stuck;
        log.push('stuck:end');
      },
      20,
    );
    const second = takeTurns(['ORG#a'], async () => log.push('second'), 20);
    await second;
    expect(log).toEqual(['stuck:start', 'second']);
    unblock();
    await first;
  });
});
