/**
 * The webhook delivery worker (SPEC §11): on the delivery queue, one attempt per message, every
 * message of a batch at once (so a hanging endpoint holds only its own message, for at most
 * 15 s), answering partial batch failures so that only a message whose own work failed comes
 * back. The next attempt is queued by the worker itself, with its delay.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAddressLookup } from '../../shared/adapters/dns/addresses.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createWebhookDeliveryStore } from '../../shared/adapters/dynamodb/webhook-store.ts';
import { postWebhook } from '../../shared/adapters/http/webhook-post.ts';
import { createDeliveryQueue } from '../../shared/adapters/sqs/delivery-queue.ts';
import { loadConfig } from '../../shared/config.ts';
import type { DeliveryMessage } from '../../shared/model/webhooks.ts';
import { invocation, log, metric } from '../../shared/observability.ts';
import { type DeliveryDeps, deliverOnce } from '../../shared/webhooks/worker.ts';

// Built once per execution environment, at cold start.
const config = loadConfig();
const db = createDynamoClient(config, { requestTimeoutMs: 3000, maxAttempts: 3 });
const queue = createDeliveryQueue(config);
const deps: DeliveryDeps = {
  store: createWebhookDeliveryStore(db, config.tableName),
  resolve: createAddressLookup(config.dnsServers),
  post: postWebhook,
  enqueue: (messages) => queue.send(messages),
  policy: { allowLoopback: config.webhookAllowLoopback },
  now: () => new Date(),
  newId: () => randomUUID(),
  scale: config.webhookRetryScale,
};

async function processRecord(record: SQSRecord, context: Context): Promise<void> {
  const message = JSON.parse(record.body) as DeliveryMessage;
  const report = await deliverOnce(message, deps);
  log.info('webhook attempt', {
    requestId: context.awsRequestId,
    webhookId: message.webhookId,
    eventId: message.event.id,
    attempt: message.attempt,
    ...report,
  });
  if (report.outcome !== 'deferred' && report.outcome !== 'dropped') {
    metric('WebhookAttempts', { Outcome: report.outcome }, 1);
  }
}

const processor = new BatchProcessor(EventType.SQS);

async function run(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, (r: SQSRecord) => processRecord(r, context), processor, {
    context,
    // Every message at once: one slow endpoint delays no other.
    processInParallel: true,
    throwOnFullBatchFailure: false,
  });
}

export const handler = middy<SQSEvent, SQSBatchResponse>(invocation(run));
