/**
 * The admin API's writes (SPEC §5): `apply` turns the core's planned writes into one
 * transaction through the one translator (writes/), whose conditions guard every invariant (org
 * name uniqueness, seats, the last owner, one verifier per domain, unique provider names,
 * optimistic locks). A failed condition becomes the 409 (or 404) the core attached to that write.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError, ConflictError } from '../../errors.ts';
import type { AdminStore, Write } from '../../model/writes.ts';
import { MAX_TRANSACTION_ITEMS, TransactionRefused, transactWrite } from './transact.ts';
import { transactionOf } from './writes/index.ts';

/** The admin store's `apply`. */
export function createAdminWrites(
  db: DynamoDBDocumentClient,
  tableName: string,
): Pick<AdminStore, 'apply'> {
  async function apply(writes: Write[]): Promise<void> {
    // Each item's guard is the index of the write it belongs to, whose `conflict` says what a
    // failed condition means; the person summaries carry no condition that can fail.
    const items = transactionOf(tableName, writes);
    try {
      await transactWrite(db, items, {
        // A transaction cancelled only by another touching the same items wrote nothing.
        conflictRetries: 4,
        tooLarge: (n) =>
          new ConflictError(
            `This change touches ${n} items; one change may touch at most ${MAX_TRANSACTION_ITEMS}`,
          ),
      });
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const failed = (error.failed as (number | 'summary')[]).find((g) => g !== 'summary');
      if (failed === undefined) {
        throw new ConflictError('The change conflicted with a concurrent one; try again', {
          cause: error,
        });
      }
      const conflict = writes[failed]!.conflict;
      if (conflict instanceof AppError) throw conflict;
      throw new ConflictError(
        conflict ?? 'The resource changed meanwhile; read it again and retry',
        { cause: error },
      );
    }
  }

  return { apply };
}
