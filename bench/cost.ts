/**
 * The AWS bill per million sign-ins of one path, from what the benchmark measured: handler
 * durations, DynamoDB request units, mails, log bytes — for the sign-in function and for the
 * notifier that mails what the sign-in wrote to the outbox.
 */

import { FUNCTION_LOGGING } from '../infra/constructs/logging.ts';

/**
 * List prices, us-east-1, as of the date below (AWS pricing pages; DynamoDB on-demand after the
 * November 2024 price cut). Change them here, with the date, when AWS changes them.
 */
export const PRICES = {
  asOf: '2026-11-23',
  region: 'us-east-1',
  /** https://aws.amazon.com/lambda/pricing/ — Arm, first 7.5 billion GB-s of the month. */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ — standard table class. */
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  /** https://aws.amazon.com/ses/pricing/ — outbound mail. */
  sesPerThousandMails: 0.1,
  /** https://aws.amazon.com/cloudwatch/pricing/ — Logs, standard ingestion. */
  cloudWatchLogsPerGb: 0.5,
} as const;

/**
 * Bytes Lambda itself logs per invocation, on top of what the handler writes: the START, END
 * and REPORT lines (with the X-Ray trace line), estimated from their documented formats. They
 * are INFO-level system logs: a function whose system log level is WARN or above (JSON logs,
 * infra/constructs/logging.ts) writes none of them for an invocation that succeeds.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html
 */
export const LAMBDA_PLATFORM_LOG_BYTES = 330;

/** Platform log bytes per successful invocation under the construct's logging settings. */
export const platformLogBytes = (logging: { format: string; systemLogLevel: string }): number =>
  logging.format === 'JSON' && ['WARN', 'ERROR', 'FATAL'].includes(logging.systemLogLevel)
    ? 0
    : LAMBDA_PLATFORM_LOG_BYTES;

/** What one sign-in of a path costs to run, as measured. */
export interface PathUsage {
  /** Mean duration of the sign-in handler (billed per started millisecond). */
  signInMeanMs: number;
  signInMemoryMb: number;
  /** DynamoDB units of the sign-in and of the notifier's deliveries, billed rules. */
  readUnits: number;
  writeUnits: number;
  /** Outbox items the sign-in wrote: one notifier invocation each (stream batching can only lower this). */
  notifierInvocations: number;
  /** Mean duration of one notifier invocation, SES call excluded. */
  notifierMeanMs: number;
  notifierMemoryMb: number;
  mails: number;
  /** Bytes the handlers logged (JSON lines and metrics), per sign-in. */
  logBytes: number;
}

export interface PathCost {
  lambda: number;
  dynamoDb: number;
  ses: number;
  logs: number;
  total: number;
}

/** USD per million sign-ins. */
export function costPerMillion(u: PathUsage): PathCost {
  const M = 1e6;
  const gbSeconds = (ms: number, mb: number) => (Math.ceil(ms) / 1000) * (mb / 1024);
  const lambda =
    (1 + u.notifierInvocations) * PRICES.lambdaPerMillionRequests +
    M *
      PRICES.lambdaArmPerGbSecond *
      (gbSeconds(u.signInMeanMs, u.signInMemoryMb) +
        u.notifierInvocations * gbSeconds(u.notifierMeanMs, u.notifierMemoryMb));
  const dynamoDb =
    u.readUnits * PRICES.dynamoDbPerMillionReadUnits +
    u.writeUnits * PRICES.dynamoDbPerMillionWriteUnits;
  const ses = u.mails * 1000 * PRICES.sesPerThousandMails;
  const logBytes = u.logBytes + (1 + u.notifierInvocations) * platformLogBytes(FUNCTION_LOGGING);
  const logs = ((M * logBytes) / 2 ** 30) * PRICES.cloudWatchLogsPerGb;
  return { lambda, dynamoDb, ses, logs, total: lambda + dynamoDb + ses + logs };
}
