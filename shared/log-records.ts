/**
 * Record lines through a CloudWatch Logs subscription (functions/registry.ts `logSubscriptions`):
 * a function writes a record line (`logRecord`, shared/observability.ts), CloudWatch Logs hands
 * the lines its subscription filter matched to the recording function as a gzipped, base64
 * batch, and that function reads them back here. The local stack's Lambda runtime encodes the
 * same batches, so both sides of the subscription run as in AWS.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { LOG_RECORD_FIELD } from './observability.ts';

/** One record line as the recording function reads it. */
export interface LogRecordLine {
  /** The log event's id: the same on a redelivery of the same line. */
  id: string;
  data: unknown;
}

/** The record lines of kind `record` in a subscription's batch; other lines are skipped. */
export function readLogRecords(event: CloudWatchLogsEvent, record: string): LogRecordLine[] {
  const batch = JSON.parse(
    gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'),
  ) as CloudWatchLogsDecodedData;
  // CloudWatch Logs checks that it can reach the destination with a CONTROL_MESSAGE.
  if (batch.messageType !== 'DATA_MESSAGE') return [];
  const lines: LogRecordLine[] = [];
  for (const logEvent of batch.logEvents) {
    let line: unknown;
    try {
      line = JSON.parse(logEvent.message);
    } catch {
      continue;
    }
    if (isObject(line) && line[LOG_RECORD_FIELD] === record) {
      lines.push({ id: logEvent.id, data: line.data });
    }
  }
  return lines;
}

/** Whether a written log line is a record line of kind `record` (the subscription filter). */
export function isLogRecord(line: string, record: string): boolean {
  try {
    const parsed: unknown = JSON.parse(line);
    return isObject(parsed) && parsed[LOG_RECORD_FIELD] === record;
  } catch {
    return false;
  }
}

/** A subscription's batch of `lines` from `logGroup`, as CloudWatch Logs delivers it. */
export function encodeLogEvents(
  lines: readonly { id: string; timestamp: number; message: string }[],
  logGroup: string,
  logStream: string,
  filterName: string,
): CloudWatchLogsEvent {
  const batch: CloudWatchLogsDecodedData = {
    owner: '000000000000',
    logGroup,
    logStream,
    subscriptionFilters: [filterName],
    messageType: 'DATA_MESSAGE',
    logEvents: lines.map((l) => ({ id: l.id, timestamp: l.timestamp, message: l.message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
