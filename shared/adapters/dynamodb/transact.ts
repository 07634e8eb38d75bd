/**
 * The one way a change is written: a list of items, each with what a failure of its condition
 * means (its guard), sent as one TransactWriteItems. The sign-in store and the admin store both
 * write through here (their items made by the one translator, writes/), so the transaction
 * limit, the handling of transaction conflicts and the reading of cancellation reasons exist once.
 * So does event numbering (SPEC §11, `event-seq.ts`): a transaction that records events is
 * numbered here, so no writer can record an event without its number.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
 */
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { backoffMs, sleep } from '../../backoff.ts';
import { dynamo, TransactionCancelledError } from './errors.ts';
import {
  type Counters,
  counterKey,
  counterValue,
  eventScopes,
  hasEvents,
  numberEvents,
} from './event-seq.ts';
import { batchGet, foundItem } from './query.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** An item and what a failure of its condition means (`undefined`: it has none that can fail). */
export interface Guarded<G> {
  item: TransactItem;
  guard: G | undefined;
}

/** A transaction the table refused: the guards of the items whose condition failed. */
export class TransactionRefused<G> extends Error {
  constructor(
    /** Guards of the failed conditions, in item order; empty when only a conflict cancelled it. */
    readonly failed: G[],
    /** Cancelled because another transaction touched the same items (nothing was written). */
    readonly conflict: boolean,
    options: { cause?: unknown } = {},
  ) {
    super('The transaction was refused', options);
  }
}

export interface TransactOptions {
  /**
   * How often a transaction cancelled only by a conflict with another is sent again as it is
   * (nothing was written, and every condition is checked anew). @default 0
   */
  conflictRetries?: number;
  signal?: AbortSignal | undefined;
  /** The error for a change larger than a transaction. */
  tooLarge: (items: number) => Error;
  /**
   * Event counters already read with the change's own reads (by scope partition key); the
   * scopes of its events not in here are read before the first send (one BatchGet).
   */
  counters?: Counters | undefined;
  /** Called before each request: the counters' read, or a send of the transaction. */
  onRequest?: ((kind: 'counters' | 'transaction') => void) | undefined;
}

/**
 * Sends of a transaction that records events, when each is cancelled only because another
 * change took the numbers it read (or by a transaction conflict): enough for 50 changes of one
 * scope at once, each send after the first waiting a jittered, capped backoff.
 */
export const NUMBERING_ATTEMPTS = 100;

/**
 * The backoff between the sends of a numbered transaction: full jitter, so that the losers of a
 * round spread out instead of meeting again, up to a second, the time 50 writers take in turn.
 */
export const numberingBackoffMs = (attempt: number, random: () => number = Math.random) =>
  backoffMs(attempt, { baseMs: 10, capMs: 1000, jitter: 'full' }, random);

/** The last turn taken on each scope's counter in this process: settles with how it ended. */
const turns = new Map<string, Promise<unknown>>();
/** When a turn on each scope last started or ended in this process. */
const progress = new Map<string, number>();

/**
 * How long the turns of a scope may make no progress (none starting, none ending) before the
 * writes waiting go ahead anyway: a table that hangs then holds each write for about one
 * timeout, not one after another.
 */
export const STALL_MS = 100;

/**
 * Runs `write` once the numbered writes of the same scopes this process started earlier are
 * done. A process serving many requests at once (the local stack, a container) then numbers one
 * scope's events one after another instead of racing itself for the same numbers; across
 * processes (a Lambda environment serves one request at a time) the counters' conditions decide,
 * and losers resend. Scopes are taken in sorted order, so two writes never wait for each other.
 * The turns are only an economy (the counters' conditions keep the numbers right): when they stall
 * for `STALL_MS` (a table that does not answer), the writes waiting go ahead without waiting
 * further.
 */
export async function takeTurns<T>(
  scopes: readonly string[],
  write: () => Promise<T>,
  stallMs = STALL_MS,
): Promise<T> {
  let settle!: (ending: unknown) => void;
  const mine = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  const taken: [string, Promise<unknown>][] = [];
  let ending: unknown;
  try {
    for (const scope of [...scopes].sort()) {
      const before = turns.get(scope) ?? Promise.resolve(undefined);
      const tail = before.then(() => mine);
      turns.set(scope, tail);
      taken.push([scope, tail]);
      await awaitTurn(scope, before, stallMs);
    }
    for (const scope of scopes) progress.set(scope, Date.now());
    return await write();
  } catch (error) {
    ending = error;
    throw error;
  } finally {
    settle(ending);
    for (const [scope, tail] of taken) {
      if (turns.get(scope) === tail) {
        turns.delete(scope);
        progress.delete(scope);
      } else {
        progress.set(scope, Date.now());
      }
    }
  }
}

/** Waits for the turn ahead, unless the scope's turns stall. */
async function awaitTurn(scope: string, before: Promise<unknown>, stallMs: number) {
  const ended = before.then(() => true);
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      ended,
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(1, stallMs / 4));
      }),
    ]);
    clearTimeout(timer);
    if (waited) return;
    if (Date.now() - (progress.get(scope) ?? 0) >= stallMs) return;
  }
}

/**
 * What to do with a numbered transaction the table cancelled: `renumber` (only counters failed,
 * or only conflicts: send again, with the counters it handed back), else `refuse`. `codes` are
 * the cancellation reasons, the counter items being the last `counterItems.length` of them.
 */
export function afterCancellation(
  codes: readonly string[],
  returned: readonly (Record<string, unknown> | undefined)[],
  changeItems: number,
  scopes: readonly string[],
  counters: Counters,
): { action: 'renumber'; counters: Map<string, number> } | { action: 'refuse' } {
  const failed = (i: number) => codes[i] === 'ConditionalCheckFailed';
  for (let i = 0; i < changeItems; i++) if (failed(i)) return { action: 'refuse' };
  const next = new Map(counters);
  let moved = false;
  scopes.forEach((scope, k) => {
    const i = changeItems + k;
    if (!failed(i)) return;
    moved = true;
    next.set(scope, counterValue(returned[i]));
  });
  if (moved || codes.includes('TransactionConflict')) return { action: 'renumber', counters: next };
  return { action: 'refuse' };
}

/** Reads the counters of `scopes` (one consistent BatchGet). */
async function readCounters(
  db: DynamoDBDocumentClient,
  tableName: string,
  scopes: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, number>> {
  const found = await batchGet(db, tableName, scopes.map(counterKey), signal);
  return new Map(scopes.map((s) => [s, counterValue(foundItem(found, counterKey(s)))]));
}

/**
 * Writes the items in one transaction; nothing to write is no request. Event items are numbered
 * first (`event-seq.ts`), their counters' updates appended after the items (so a guard's index
 * is its item's), and renumbered and resent while only the counters (or conflicts) cancel it.
 */
export async function transactWrite<G>(
  db: DynamoDBDocumentClient,
  items: readonly Guarded<G>[],
  options: TransactOptions,
): Promise<void> {
  if (items.length === 0) return;
  const plain = items.map((i) => i.item);
  if (!hasEvents(plain)) return sendGuarded(db, items, plain, options);
  const scopes = eventScopes(plain);
  if (items.length + scopes.length > MAX_TRANSACTION_ITEMS) {
    throw options.tooLarge(items.length + scopes.length);
  }
  return takeTurns(scopes, () => sendNumbered(db, items, plain, scopes, options));
}

/**
 * Reads the counters neither known nor in flight here, numbers, sends, and renumbers and resends
 * while it may.
 */
async function sendNumbered<G>(
  db: DynamoDBDocumentClient,
  items: readonly Guarded<G>[],
  plain: TransactItem[],
  scopes: readonly string[],
  options: TransactOptions,
): Promise<void> {
  const tableName = firstTableName(plain);
  const known = new Map(options.counters ?? []);
  const unread = scopes.filter((s) => !known.has(s));
  if (unread.length) {
    options.onRequest?.('counters');
    for (const [s, n] of await readCounters(db, tableName, unread, options.signal)) known.set(s, n);
  }
  let counters: Counters = known;
  for (let attempt = 0; ; attempt++) {
    const numbered = numberEvents(tableName, plain, counters);
    try {
      options.onRequest?.('transaction');
      await dynamo(() =>
        db.send(
          new TransactWriteCommand({ TransactItems: [...numbered.items, ...numbered.counters] }),
          { abortSignal: options.signal },
        ),
      );
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      const next = afterCancellation(
        error.codes,
        error.items,
        items.length,
        numbered.scopes,
        counters,
      );
      if (
        next.action !== 'renumber' ||
        attempt + 1 >= NUMBERING_ATTEMPTS ||
        options.signal?.aborted
      ) {
        throw refusal(items, error);
      }
      counters = next.counters;
    }
    await sleep(numberingBackoffMs(attempt));
  }
}

/** The table of a transaction's items (a change writes to one table). */
function firstTableName(items: readonly TransactItem[]): string {
  const i = items[0]!;
  return (i.Put ?? i.Update ?? i.Delete ?? i.ConditionCheck)!.TableName!;
}

/** The refusal of a cancelled transaction: the guards of its items whose condition failed. */
function refusal<G>(items: readonly Guarded<G>[], error: TransactionCancelledError) {
  const failed = items.flatMap((item, i) =>
    error.conditionFailed(i) && item.guard !== undefined ? [item.guard] : [],
  );
  return new TransactionRefused(failed, error.isConflict, { cause: error });
}

/** A transaction without events: sent as it is, resent on conflicts as `conflictRetries` allow. */
async function sendGuarded<G>(
  db: DynamoDBDocumentClient,
  items: readonly Guarded<G>[],
  plain: TransactItem[],
  options: TransactOptions,
): Promise<void> {
  if (items.length > MAX_TRANSACTION_ITEMS) throw options.tooLarge(items.length);
  const only = items.length === 1 ? items[0]!.item.Update : undefined;
  if (only && !only.ConditionExpression) {
    // One unconditioned update (a person's first sign-in of the day, SPEC §13) needs none of a
    // transaction's guarantees, and a transaction bills each item twice.
    await dynamo(() => db.send(new UpdateCommand(only), { abortSignal: options.signal }));
    return;
  }
  const input = { TransactItems: plain };
  for (let attempt = 0; ; attempt++) {
    try {
      options.onRequest?.('transaction');
      await dynamo(() => db.send(new TransactWriteCommand(input), { abortSignal: options.signal }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      const refused = refusal(items, error);
      if (
        refused.failed.length === 0 &&
        error.isConflict &&
        attempt < (options.conflictRetries ?? 0)
      ) {
        await sleep(backoffMs(attempt + 1, { baseMs: 10, jitter: 'centred' }));
        continue;
      }
      throw refused;
    }
  }
}
