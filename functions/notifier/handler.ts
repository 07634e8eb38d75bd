/**
 * The stream-triggered notifier (SPEC §4): mails each outbox item the sign-in or the admin API
 * wrote, and runs outbox tasks (SPEC §8: a provider's `IdpIdentifiers` after a domain left its
 * connection). The event source mapping's filter wakes it only for outbox INSERTs; it answers
 * with partial batch failures (Powertools' BatchProcessor) so one bad record neither blocks nor
 * repeats the others:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { loadIdentityProviders } from '../../shared/adapters/cognito/index.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createDeliveryStore } from '../../shared/adapters/dynamodb/delivery-store.ts';
import { createTaskStore } from '../../shared/adapters/dynamodb/task-store.ts';
import { createMailer, createSesClient } from '../../shared/adapters/ses/mailer.ts';
import { loadConfig } from '../../shared/config.ts';
import { deliver } from '../../shared/notifications/deliver.ts';
import type { Notification } from '../../shared/notifications/render.ts';
import { invocation, log, metric } from '../../shared/observability.ts';
import { OUTBOX_SK } from '../../shared/table/schema.ts';
import { type OutboxTask, runTask, type TaskDeps } from '../../shared/tasks.ts';

// Built once per execution environment, at cold start.
const config = loadConfig();
if (!config.senderEmail) throw new Error('Missing required environment variable SENDER_EMAIL');
const db = createDynamoClient(config, { requestTimeoutMs: 3000, maxAttempts: 3 });
const store = createDeliveryStore(db, config.tableName);
const mailer = createMailer(createSesClient(config), config.senderEmail);
const tasks: TaskDeps = {
  // The Cognito SDK loads with the first provider sync, not at cold start.
  identityProviders: loadIdentityProviders(config),
  ...createTaskStore(db, config.tableName),
};

/** An outbox task (shared/tasks.ts); a failure is retried like an undelivered mail. */
async function perform(task: OutboxTask, id: string, context: Context): Promise<void> {
  const outcome = await runTask(task, tasks);
  log.info('outbox task done', {
    requestId: context.awsRequestId,
    outboxId: id,
    type: task.type,
    outcome,
  });
}

/**
 * One stream record: an outbox item's mail or task. Throwing reports the record as failed, so
 * that Lambda retries it (and the records after it) and, past its retries, dead-letters it.
 */
async function processRecord(record: DynamoDBRecord, context: Context): Promise<void> {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.sk !== OUTBOX_SK) return;
  const id = String(item.id);
  /** Runs the record's work; a failure is logged as `failed`, then thrown on (Lambda retries). */
  const logFailure = async <T>(failed: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      log.error(failed, { requestId: context.awsRequestId, outboxId: id, error: String(error) });
      throw error;
    }
  };
  if (item.task) {
    await logFailure('outbox task failed', () => perform(item.task as OutboxTask, id, context));
    return;
  }
  const notification = item.notification as Notification;
  const report = await logFailure('notification failed', () =>
    deliver({ id, notification }, store, mailer),
  );
  log.info('notification delivered', {
    requestId: context.awsRequestId,
    outboxId: id,
    type: notification.type,
    sent: report.sent.length,
    skipped: report.skipped.length,
    pending: report.pending.length,
  });
  metric('NotificationsSent', { Type: notification.type }, report.sent.length);
  if (report.unrecorded.length) {
    // Sent, but the record that says so could not be written: only a retry of this record
    // after the claim's lease would mail them again.
    metric('NotificationsUnrecorded', {}, report.unrecorded.length);
    log.warn('notification sent but not recorded', {
      outboxId: id,
      unrecorded: report.unrecorded,
      errors: report.errors.map(String),
    });
  }
  if (report.pending.length) {
    log.warn('notification pending', {
      outboxId: id,
      pending: report.pending,
      errors: report.errors.map(String),
    });
    throw new Error(`Outbox item ${id}: ${report.pending.length} recipient(s) pending`);
  }
}

/**
 * Powertools' batch processor reports the failed records by sequence number (partial batch
 * response). One at a time, as before: a batch is small, and SES is not hurried.
 */
const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function run(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  const response = await processPartialResponse(
    event,
    (r: DynamoDBRecord) => processRecord(r, context),
    processor,
    {
      context,
      processInParallel: false,
      // Every record failing is reported as such too (Lambda retries from the first of them).
      throwOnFullBatchFailure: false,
    },
  );
  if (response.batchItemFailures.length) {
    metric('NotificationFailures', {}, response.batchItemFailures.length);
  }
  return response;
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>(invocation(run));
