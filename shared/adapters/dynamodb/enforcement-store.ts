/**
 * SSO enforcement's storage at Cognito's PreAuthentication and PreSignUp (SPEC §12): the
 * trigger's one strongly consistent GetItem of the verified domain (it mirrors its connection's
 * enforcement; `createEnforcementReader`, all the trigger loads), and the writes the trigger
 * decides, which the enforcement recorder makes through the one translator (writes/).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { VerifiedDomain } from '../../model/types.ts';
import type { Write } from '../../model/writes.ts';
import { keys } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { hasEvents } from './event-seq.ts';
import { readVerifiedDomain } from './items.ts';
import { TransactionRefused, transactWrite } from './transact.ts';
import { transactionOf } from './writes/index.ts';

export interface EnforcementReader {
  /** The domain's verified item, if any (one consistent GetItem). */
  readDomain(domain: string, signal: AbortSignal): Promise<VerifiedDomain | undefined>;
}

export interface EnforcementStore {
  /**
   * Writes `writes` in one transaction (a single item as a plain PutItem); `false` when a
   * condition refused it (a throttled notice already there, as for a refusal or a report within
   * its quiet time: nothing is written, as intended).
   */
  record(writes: readonly Write[], signal: AbortSignal): Promise<boolean>;
  /** Writes a no-lockout marker (one PutItem); `false` when it was written today already. */
  mark(write: Write, signal: AbortSignal): Promise<boolean>;
}

export function createEnforcementStore(
  db: DynamoDBDocumentClient,
  tableName: string,
): EnforcementStore {
  async function record(writes: readonly Write[], signal: AbortSignal): Promise<boolean> {
    const items = transactionOf(tableName, writes);
    // One item (a marker) is one PutItem: half a transaction's write cost. An event is never
    // alone like this: it is numbered with its counter in a transaction (transact.ts).
    const single =
      items.length === 1 && !hasEvents([items[0]!.item]) ? items[0]!.item.Put : undefined;
    try {
      if (single) {
        await db.send(new PutCommand(single as PutCommandInput), { abortSignal: signal });
      } else {
        await transactWrite(db, items, {
          signal,
          tooLarge: (n) => new Error(`Enforcement records ${n} items, more than a transaction`),
        });
      }
      return true;
    } catch (error) {
      if (error instanceof TransactionRefused && error.failed.length > 0) return false;
      if ((error as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  return { record, mark: (write, signal) => record([write], signal) };
}

export function createEnforcementReader(
  db: DynamoDBDocumentClient,
  tableName: string,
): EnforcementReader {
  return {
    async readDomain(domain, signal) {
      const out = await dynamo(() =>
        db.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.domainVerified(domain),
            ConsistentRead: true,
          }),
          { abortSignal: signal },
        ),
      );
      return out.Item ? readVerifiedDomain(out.Item) : undefined;
    },
  };
}
