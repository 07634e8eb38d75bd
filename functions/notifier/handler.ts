/**
 * The stream-triggered notifier (SPEC §4): mails each outbox item the sign-in or the admin API
 * wrote, and runs outbox tasks (SPEC §8: a provider's `IdpIdentifiers` after a domain left its
 * connection). The event source mapping's filter wakes it only for outbox INSERTs; it answers
 * with partial batch failures so one bad record neither blocks nor repeats the others:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadIdentityProviders } from '../../shared/adapters/cognito/index.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import {
  createDeliveryStore,
  createProviderDomains,
} from '../../shared/adapters/dynamodb/delivery-store.ts';
import { createTaskStore } from '../../shared/adapters/dynamodb/event-index.ts';
import { createMailer, createSesClient } from '../../shared/adapters/ses/mailer.ts';
import { loadConfig } from '../../shared/config.ts';
import { deliver } from '../../shared/notifications/deliver.ts';
import type { Notification } from '../../shared/notifications/render.ts';
import { log, metric } from '../../shared/observability.ts';
import { OUTBOX_SK } from '../../shared/table/schema.ts';
import { type OutboxTask, runTask, type TaskDeps } from '../../shared/tasks.ts';

// Built once per execution environment, at cold start.
const config = loadConfig();
if (!config.senderEmail) throw new Error('Missing required environment variable SENDER_EMAIL');
const db = createDynamoClient(config, { requestTimeoutMs: 3000, maxAttempts: 3 });
const store = createDeliveryStore(db, config.tableName);
const mailer = createMailer(createSesClient(config), config.senderEmail);
const tasks: TaskDeps = {
  providerDomains: createProviderDomains(db, config.tableName),
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

async function run(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  const failures: string[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.sk !== OUTBOX_SK) continue;
    const id = String(item.id);
    if (item.task) {
      try {
        await perform(item.task as OutboxTask, id, context);
      } catch (error) {
        failures.push(record.dynamodb?.SequenceNumber ?? id);
        log.error('outbox task failed', {
          requestId: context.awsRequestId,
          outboxId: id,
          error: String(error),
        });
      }
      continue;
    }
    try {
      const report = await deliver(
        { id, notification: item.notification as Notification },
        store,
        mailer,
      );
      log.info('notification delivered', {
        requestId: context.awsRequestId,
        outboxId: id,
        type: (item.notification as Notification).type,
        sent: report.sent.length,
        skipped: report.skipped.length,
        pending: report.pending.length,
      });
      metric(
        'NotificationsSent',
        { Type: (item.notification as Notification).type },
        report.sent.length,
      );
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
        failures.push(record.dynamodb?.SequenceNumber ?? id);
        log.warn('notification pending', {
          outboxId: id,
          pending: report.pending,
          errors: report.errors.map(String),
        });
      }
    } catch (error) {
      failures.push(record.dynamodb?.SequenceNumber ?? id);
      log.error('notification failed', {
        requestId: context.awsRequestId,
        outboxId: id,
        error: String(error),
      });
    }
  }
  if (failures.length) metric('NotificationFailures', {}, failures.length);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>(run);
