/**
 * The one way a change is written: a list of items, each with what a failure of its condition
 * means (its guard), sent as one TransactWriteItems. The sign-in store and the admin store both
 * write through here (their items made by the one translator, writes/), so the transaction
 * limit, the handling of transaction conflicts and the reading of cancellation reasons exist once.
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
}

/** Writes the items in one transaction; nothing to write is no request. */
export async function transactWrite<G>(
  db: DynamoDBDocumentClient,
  items: readonly Guarded<G>[],
  options: TransactOptions,
): Promise<void> {
  if (items.length === 0) return;
  if (items.length > MAX_TRANSACTION_ITEMS) throw options.tooLarge(items.length);
  const only = items.length === 1 ? items[0]!.item.Update : undefined;
  if (only && !only.ConditionExpression) {
    // One unconditioned update (a person's first sign-in of the day, SPEC §13) needs none of a
    // transaction's guarantees, and a transaction bills each item twice.
    await dynamo(() => db.send(new UpdateCommand(only), { abortSignal: options.signal }));
    return;
  }
  const input = { TransactItems: items.map((i) => i.item) };
  for (let attempt = 0; ; attempt++) {
    try {
      await dynamo(() => db.send(new TransactWriteCommand(input), { abortSignal: options.signal }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      const failed = items.flatMap((item, i) =>
        error.conditionFailed(i) && item.guard !== undefined ? [item.guard] : [],
      );
      if (failed.length === 0 && error.isConflict && attempt < (options.conflictRetries ?? 0)) {
        await sleep(backoffMs(attempt + 1, { baseMs: 10, jitter: 'centred' }));
        continue;
      }
      throw new TransactionRefused(failed, error.isConflict, { cause: error });
    }
  }
}
