/**
 * Structured logs and CloudWatch metrics (Embedded Metric Format) in a few lines, so no function
 * carries a logging or metrics dependency. One JSON object per line on stdout; within a handler
 * wrapped in `invocation(...)`, each carries the Lambda request id and whether it is the cold
 * start, and the first invocation counts a `ColdStart` metric.
 *
 * Powertools' Logger and Metrics were measured in their place (docs/performance.md, "Powertools"):
 * they put the notifier's cold import past its target, so these few lines stay.
 * EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';

const NAMESPACE = 'Provisio';

/** The invocation a log line belongs to (the local stack runs several at once in one process). */
const current = new AsyncLocalStorage<{ requestId: string; coldStart: boolean }>();
let coldStart = true;

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/**
 * `LOG_LEVEL` when set, else the application log level Lambda's log-level controls give the
 * function (`AWS_LAMBDA_LOG_LEVEL`, infra/constructs/logging.ts): lines Lambda would drop are not
 * even written.
 */
const threshold =
  LEVELS[(process.env.LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL)?.toLowerCase() as Level] ??
  LEVELS.info;

function write(level: Level, message: string, fields: Record<string, unknown>): void {
  if (LEVELS[level] < threshold) return;
  const inv = current.getStore();
  process.stdout.write(
    `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...inv, ...fields })}\n`,
  );
}

export const log = {
  debug: (message: string, fields: Record<string, unknown> = {}) => write('debug', message, fields),
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};

/** Emits one metric (count by default) with dimensions as an EMF log line. */
export function metric(
  name: string,
  dimensions: Record<string, string> = {},
  value = 1,
  unit: 'Count' | 'Milliseconds' = 'Count',
): void {
  process.stdout.write(
    `${JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [Object.keys(dimensions)],
            Metrics: [{ Name: name, Unit: unit }],
          },
        ],
      },
      ...dimensions,
      [name]: value,
    })}\n`,
  );
}

/** The field that names a record line (`logRecord`), which a log subscription filters on. */
export const LOG_RECORD_FIELD = 'record';

/**
 * Writes one record line: something a function decided should be written, which a log
 * subscription hands to the function that writes it (functions/registry.ts `logSubscriptions`).
 * Always written, whatever the level threshold: it is data, not diagnostics. Its level is INFO,
 * which the functions' log-level filtering keeps (infra/constructs/logging.ts).
 */
export function logRecord(record: string, data: Record<string, unknown>): void {
  const inv = current.getStore();
  process.stdout.write(
    `${JSON.stringify({ level: 'info', message: 'record', timestamp: new Date().toISOString(), ...inv, [LOG_RECORD_FIELD]: record, data })}\n`,
  );
}

/**
 * Wraps a handler so that its log lines carry the request id and the cold-start flag, and its
 * first invocation counts a `ColdStart` metric.
 */
export function invocation<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    const first = coldStart;
    coldStart = false;
    if (first) metric('ColdStart', { Function: context.functionName });
    return current.run({ requestId: context.awsRequestId, coldStart: first }, () =>
      handler(event, context),
    );
  };
}
