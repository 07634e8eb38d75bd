/**
 * The enforcement recorder (SPEC §12): writes what SSO enforcement decided at Cognito's
 * PreAuthentication and PreSignUp — `sign_in_denied` (`sso_required`), `sso_enforcement_would_deny`,
 * `sso_enforcement_bypassed` with the owners' mail, and the no-lockout markers — from the record
 * lines the pre-auth trigger logs (functions/registry.ts `logSubscriptions`). The trigger answers
 * Cognito after its one read; this function writes moments later, off the sign-in's path.
 *
 * CloudWatch Logs invokes it asynchronously: a batch that fails is retried by Lambda, then goes
 * to the dead-letter queue, which an alarm watches. Every record is guarded by a notice or is a
 * marker, so a batch written twice is written once.
 */
import middy from '@middy/core';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createEnforcementStore } from '../../shared/adapters/dynamodb/enforcement-store.ts';
import { loadConfig } from '../../shared/config.ts';
import { readLogRecords } from '../../shared/log-records.ts';
import type { Write } from '../../shared/model/writes.ts';
import { invocation, log, metric } from '../../shared/observability.ts';
import { ENFORCEMENT_RECORD, RECORDED_KINDS } from '../../shared/sign-in/pre-authentication.ts';

// Built once per execution environment, at cold start.
const config = loadConfig();
const store = createEnforcementStore(
  createDynamoClient(config, { requestTimeoutMs: 3000, maxAttempts: 3 }),
  config.tableName,
);

const RECORD_TIMEOUT_MS = 10_000;

/** The writes of a record line, if it is one the pre-auth trigger writes; else undefined. */
function writesOf(data: unknown): { records: Write[]; markers: Write[] } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { records, markers } = data as { records?: unknown; markers?: unknown };
  const allowed = (list: unknown): list is Write[] =>
    Array.isArray(list) &&
    list.every(
      (w) =>
        typeof w === 'object' &&
        w !== null &&
        (RECORDED_KINDS as readonly unknown[]).includes((w as { kind?: unknown }).kind),
    );
  return allowed(records) && allowed(markers) ? { records, markers } : undefined;
}

async function run(event: CloudWatchLogsEvent, context: Context): Promise<void> {
  const lines = readLogRecords(event, ENFORCEMENT_RECORD);
  for (const line of lines) {
    const writes = writesOf(line.data);
    if (!writes) {
      // Only the pre-auth trigger writes to its log group; a line it did not write is skipped.
      log.error('enforcement record line skipped: not a record', {
        requestId: context.awsRequestId,
        logEventId: line.id,
      });
      metric('EnforcementRecordsSkipped', {});
      continue;
    }
    const signal = AbortSignal.timeout(RECORD_TIMEOUT_MS);
    // A refused condition is a record already written (or a throttled notice): not a failure.
    // Anything else throws, and Lambda retries the batch.
    const [recorded, ...marked] = await Promise.all([
      writes.records.length ? store.record(writes.records, signal) : Promise.resolve(false),
      ...writes.markers.map((m) => store.mark(m, signal)),
    ]);
    log.debug('enforcement recorded', {
      requestId: context.awsRequestId,
      logEventId: line.id,
      recorded,
      marked: marked.filter(Boolean).length,
    });
  }
}

export const handler = middy<CloudWatchLogsEvent, void>(invocation(run));
