/**
 * Turning DynamoDB SDK errors into domain errors, in one place.
 */
import { ConflictError, NotFoundError, UnavailableError } from '../../errors.ts';

/** One cancelled transaction item's reason code (`ConditionalCheckFailed`, `TransactionConflict`, `None`, ...). */
export type CancellationCode = string;

/** A transaction was cancelled; `codes[i]` is the reason for item i. */
export class TransactionCancelledError extends ConflictError {
  constructor(
    readonly codes: CancellationCode[],
    cause: unknown,
    /**
     * The item as it was, for an item whose condition failed and asked for it
     * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), as DynamoDB sends it (attribute values).
     */
    readonly items: (Record<string, unknown> | undefined)[] = [],
  ) {
    super('The change conflicted with another one; try again', { cause });
  }

  /** Whether item i failed its condition. */
  conditionFailed(i: number): boolean {
    return this.codes[i] === 'ConditionalCheckFailed';
  }

  /** Whether the cancellation came from concurrent transactions rather than conditions. */
  get isConflict(): boolean {
    return (
      this.codes.some((c) => c === 'TransactionConflict') &&
      !this.codes.includes('ConditionalCheckFailed')
    );
  }
}

const UNAVAILABLE = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** DynamoDB's and DynamoDB Local's words for a key over the size limit. */
const OVERSIZED_KEY = /key values must be under|size of (hash|range) ?key has exceeded/i;

/** Maps an SDK error to a domain error; unknown errors pass through unchanged. */
export function mapDynamoError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const name = error.name;
  if (name === 'ConditionalCheckFailedException') {
    return new ConflictError('The item changed or does not exist', { cause: error });
  }
  if (name === 'TransactionCanceledException') {
    const reasons =
      (error as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] })
        .CancellationReasons ?? [];
    return new TransactionCancelledError(
      reasons.map((r) => r.Code ?? 'None'),
      error,
      reasons.map((r) => r.Item),
    );
  }
  if (name === 'TransactionConflictException')
    return new TransactionCancelledError(['TransactionConflict'], error);
  // A key longer than DynamoDB allows (partition 2048 bytes, sort 1024) names no item, so what
  // it names does not exist: an id from a URL, say, which would otherwise be a 500.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
  if (name === 'ValidationException' && OVERSIZED_KEY.test(error.message)) {
    return new NotFoundError('Not found');
  }
  const code = (error as { code?: string }).code;
  if (
    UNAVAILABLE.has(name) ||
    (code && NETWORK_CODES.has(code)) ||
    /socket hang up|ECONNREFUSED|timed? ?out/i.test(error.message)
  ) {
    return new UnavailableError('The table is temporarily unavailable', { cause: error });
  }
  return error;
}

/** Runs a DynamoDB call, mapping its errors. */
export async function dynamo<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapDynamoError(error);
  }
}
