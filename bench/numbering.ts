/**
 * A captured transaction sent again as a floor: its events numbered afresh as the one sender
 * numbers them (SPEC §11, shared/adapters/dynamodb/event-seq.ts), because the captured counter
 * updates hold the numbers of their own send. The counters are read (one consistent BatchGetItem)
 * as the path reads them; a transaction without events is sent as it is.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  counterKey,
  counterValue,
  eventScopes,
  numberEvents,
} from '../shared/adapters/dynamodb/event-seq.ts';
import type { TransactItem } from '../shared/adapters/dynamodb/transact.ts';
import { EVENT_COUNTER_SK } from '../shared/table/schema.ts';

export async function sendNumbered(
  db: DynamoDBDocumentClient,
  tableName: string,
  input: { TransactItems: TransactItem[] },
): Promise<unknown> {
  const change = input.TransactItems.filter((i) => i.Update?.Key?.sk !== EVENT_COUNTER_SK);
  if (change.length === input.TransactItems.length) {
    return db.send(new TransactWriteCommand(input));
  }
  const scopes = eventScopes(change);
  const found = await db.send(
    new BatchGetCommand({
      RequestItems: { [tableName]: { Keys: scopes.map(counterKey), ConsistentRead: true } },
    }),
  );
  const items = found.Responses?.[tableName] ?? [];
  const counters = new Map(
    scopes.map((scope) => [scope, counterValue(items.find((i) => i.pk === scope))]),
  );
  const numbered = numberEvents(tableName, change, counters);
  return db.send(
    new TransactWriteCommand({ TransactItems: [...numbered.items, ...numbered.counters] }),
  );
}
