/**
 * A meter on every DynamoDB document client of this process: it wraps
 * `DynamoDBDocumentClient.prototype.send`, so the handlers' own clients (built at module scope,
 * as in Lambda) are measured without any change to the product. For each request it records
 * the operation, asks for `ReturnConsumedCapacity: TOTAL` and sums what comes back, and applies
 * DynamoDB's documented billing rules to the items read and written.
 *
 * Why both: DynamoDB Local reports capacity, but not as DynamoDB bills it — it charges a
 * transaction by its total size instead of 2 write units per item, and a missing item of a
 * BatchGet nothing instead of a read unit. The cost model uses the billed figures.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling
 *
 * Round trips are counted as the times the number of requests in flight rises from zero: two
 * requests sent together are one round trip. That holds while one sign-in runs at a time.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Read and write units. */
export interface Units {
  read: number;
  write: number;
}

/** What the meter has counted since it was installed or last reset. */
export interface Reading {
  /** Sequential waves of requests. */
  roundTrips: number;
  /** Round trips that wrote (a TransactWriteItems or another write was among their requests). */
  writeRoundTrips: number;
  requests: number;
  /** TransactWriteItems requests. */
  transactions: number;
  /** Items in those transactions. */
  transactItems: number;
  /** What DynamoDB (Local) returned as ConsumedCapacity. */
  reported: Units;
  /** What DynamoDB would bill by its documented rules (table and index writes included). */
  billed: Units;
  /** Wall time with at least one request in flight: the rest of a sign-in is Provisio's code. */
  busyMs: number;
}

export interface Meter {
  /** The reading so far. */
  read(): Reading;
  /** Starts counting afresh. */
  reset(): void;
  /** Items of the given entity that transactions wrote since the last reset (e.g. `outbox`). */
  written(entity: string): Record<string, unknown>[];
  /** The requests sent since the last reset, in order, each with its round trip (from 1). */
  requests(): SentRequest[];
  /** Puts `send` back. */
  uninstall(): void;
}

type Item = Record<string, unknown>;

/** One request as sent: its command class, its input and the round trip it belonged to. */
export interface SentRequest {
  op: string;
  input: Item;
  roundTrip: number;
}
type Command = { input: Record<string, unknown>; constructor: { name: string } };

const READ_UNIT = 4096;
const WRITE_UNIT = 1024;

/**
 * An item's size as DynamoDB counts it: attribute names plus values; numbers about one byte per
 * two digits; lists and maps 3 bytes plus 1 per element.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/[-.]/g, '').replace(/^0+/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return 3 + [...value].reduce((s, v) => s + valueSize(v) + 1, 0);
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + valueSize(v) + 1, 0);
  if (typeof value === 'object')
    return 3 + itemSize(value as Item) + Object.keys(value as Item).length;
  return 0;
}

/** Whether an item (or, for deletes, the key's entity) is in the one GSI. */
/** Whether an update sets an index key (the person summary's, SPEC §13): the index is written too. */
const setsIndexKey = (body: Item) =>
  Object.values((body.ExpressionAttributeNames ?? {}) as Record<string, string>).includes('gsi1pk');

const indexed = (item: Item) =>
  typeof item.gsi1pk === 'string' ||
  // Keys of deleted items carry no index attributes; their sort keys name the entity.
  /^(MEMBER#|INVITE#|COMPANYOWNER#)/.test(String(item.sk ?? ''));

const sumCapacity = (c: unknown): number => {
  if (Array.isArray(c)) return c.reduce((s: number, x) => s + sumCapacity(x), 0);
  return Number((c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0);
};

const READS = new Set(['GetCommand', 'QueryCommand', 'ScanCommand', 'BatchGetCommand']);

/** The units DynamoDB bills for one request, from its input and output. */
export function billedUnits(op: string, input: Item, output: Item): Units {
  const perRead = (size: number, consistent: boolean) =>
    Math.max(1, Math.ceil(size / READ_UNIT)) * (consistent ? 1 : 0.5);
  switch (op) {
    case 'GetCommand':
      return {
        read: perRead(itemSize((output.Item as Item) ?? {}), !!input.ConsistentRead),
        write: 0,
      };
    case 'QueryCommand':
    case 'ScanCommand': {
      // A query is one read of the total size of what it returns.
      const size = ((output.Items as Item[]) ?? []).reduce((s, i) => s + itemSize(i), 0);
      return { read: perRead(size, !!input.ConsistentRead), write: 0 };
    }
    case 'BatchGetCommand': {
      // Each key is a GetItem of its own, found or not; unprocessed keys are retried (and counted) later.
      let read = 0;
      const requests = input.RequestItems as Record<
        string,
        { Keys: Item[]; ConsistentRead?: boolean }
      >;
      const responses = (output.Responses ?? {}) as Record<string, Item[]>;
      const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys?: Item[] }>;
      for (const [table, request] of Object.entries(requests)) {
        const found = responses[table] ?? [];
        const missing =
          request.Keys.length - found.length - (unprocessed[table]?.Keys?.length ?? 0);
        for (const item of found) read += perRead(itemSize(item), !!request.ConsistentRead);
        read += Math.max(0, missing) * perRead(0, !!request.ConsistentRead);
      }
      return { read, write: 0 };
    }
    case 'TransactWriteCommand': {
      // Two write units per KB of each item (prepare and commit); index updates at the standard
      // rate. Updates and deletes are billed by the item's size, which only the table knows:
      // every item the sign-in updates or deletes is well under 1 KB, so they count 1 KB.
      let write = 0;
      for (const t of input.TransactItems as Record<string, Item>[]) {
        const [kind, body] = Object.entries(t)[0]!;
        const item = (kind === 'Put' ? body.Item : body.Key) as Item;
        const kb = kind === 'Put' ? Math.max(1, Math.ceil(itemSize(item) / WRITE_UNIT)) : 1;
        write += 2 * kb;
        if (kind !== 'ConditionCheck' && (indexed(item) || setsIndexKey(body))) write += kb;
      }
      return { read: 0, write };
    }
    case 'PutCommand':
    case 'UpdateCommand':
    case 'DeleteCommand': {
      const item = (op === 'PutCommand' ? input.Item : input.Key) as Item;
      const kb = op === 'PutCommand' ? Math.max(1, Math.ceil(itemSize(item) / WRITE_UNIT)) : 1;
      return { read: 0, write: kb + (indexed(item) || setsIndexKey(input) ? kb : 0) };
    }
    default:
      return { read: 0, write: 0 };
  }
}

const emptyReading = (): Reading => ({
  roundTrips: 0,
  writeRoundTrips: 0,
  requests: 0,
  transactions: 0,
  transactItems: 0,
  reported: { read: 0, write: 0 },
  billed: { read: 0, write: 0 },
  busyMs: 0,
});

/** Installs the meter on `DynamoDBDocumentClient.prototype.send`. */
export function installMeter(): Meter {
  const proto = DynamoDBDocumentClient.prototype as unknown as {
    send: (command: Command, ...rest: unknown[]) => Promise<Item>;
  };
  const original = proto.send;
  let reading = emptyReading();
  let written: Item[] = [];
  let sent: SentRequest[] = [];
  let inFlight = 0;
  let waveWrites = false;
  let busySince = 0;

  proto.send = async function send(this: unknown, command: Command, ...rest: unknown[]) {
    const op = command.constructor.name;
    if (inFlight++ === 0) {
      reading.roundTrips++;
      waveWrites = false;
      busySince = performance.now();
    }
    reading.requests++;
    command.input.ReturnConsumedCapacity ??= 'TOTAL';
    sent.push({ op, input: structuredClone(command.input), roundTrip: reading.roundTrips });
    const writes = !READS.has(op);
    if (writes && !waveWrites) {
      waveWrites = true;
      reading.writeRoundTrips++;
    }
    if (op === 'TransactWriteCommand') {
      const items = command.input.TransactItems as Record<string, Item>[];
      reading.transactions++;
      reading.transactItems += items.length;
    }
    try {
      const output = await original.call(this, command, ...rest);
      const units = billedUnits(op, command.input, output);
      reading.billed.read += units.read;
      reading.billed.write += units.write;
      const reported = sumCapacity(output.ConsumedCapacity);
      if (READS.has(op)) reading.reported.read += reported;
      else reading.reported.write += reported;
      if (op === 'TransactWriteCommand') {
        for (const t of command.input.TransactItems as { Put?: { Item: Item } }[]) {
          if (t.Put) written.push(t.Put.Item);
        }
      }
      return output;
    } finally {
      if (--inFlight === 0) reading.busyMs += performance.now() - busySince;
    }
  };

  return {
    read: () => structuredClone(reading),
    reset() {
      reading = emptyReading();
      written = [];
      sent = [];
    },
    written: (entity) => written.filter((i) => i.entity === entity),
    requests: () => sent,
    uninstall() {
      proto.send = original;
    },
  };
}

/** The difference of two readings (`after − before`). */
export function since(after: Reading, before: Reading): Reading {
  return {
    roundTrips: after.roundTrips - before.roundTrips,
    writeRoundTrips: after.writeRoundTrips - before.writeRoundTrips,
    requests: after.requests - before.requests,
    transactions: after.transactions - before.transactions,
    transactItems: after.transactItems - before.transactItems,
    reported: {
      read: after.reported.read - before.reported.read,
      write: after.reported.write - before.reported.write,
    },
    billed: {
      read: after.billed.read - before.billed.read,
      write: after.billed.write - before.billed.write,
    },
    busyMs: after.busyMs - before.busyMs,
  };
}
