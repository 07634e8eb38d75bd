/**
 * The webhook publisher (SPEC §11): on the table's stream, filtered to new event items (and
 * replay requests), it queues one delivery per subscribed endpoint (the org's, and its
 * company's) and puts the event on the EventBridge bus when there is one; a replay request
 * queues the scope's events from a seq on for one endpoint. Never on the
 * sign-in's path: it runs after the change commits. Partial batch failures (Powertools): a
 * record that failed is retried with those after it, then dead-lettered.
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
import { createAdminLists } from '../../shared/adapters/dynamodb/admin-lists.ts';
import { readEvent } from '../../shared/adapters/dynamodb/admin-records.ts';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { readWebhookReplay } from '../../shared/adapters/dynamodb/webhook-items.ts';
import { createWebhookDeliveryStore } from '../../shared/adapters/dynamodb/webhook-store.ts';
import { createEventBus } from '../../shared/adapters/eventbridge/event-bus.ts';
import { createDeliveryQueue } from '../../shared/adapters/sqs/delivery-queue.ts';
import { loadConfig } from '../../shared/config.ts';
import type { PublishedEvent } from '../../shared/model/webhooks.ts';
import { invocation, log, metric } from '../../shared/observability.ts';
import { prefix, WEBHOOK_REPLAY_SK } from '../../shared/table/schema.ts';
import {
  type PublishDeps,
  publish,
  type ReadEvents,
  type ReplayDeps,
  replay,
} from '../../shared/webhooks/worker.ts';

// Built once per execution environment, at cold start.
const config = loadConfig();
const db = createDynamoClient(config, { requestTimeoutMs: 3000, maxAttempts: 3 });
const store = createWebhookDeliveryStore(db, config.tableName);
const queue = createDeliveryQueue(config);
const deps: PublishDeps = {
  store,
  enqueue: (messages) => queue.send(messages),
  bus: createEventBus(config),
};
const events = createAdminLists(db, config.tableName);
/** SPEC §11: a scope's own numbered events after a seq, oldest first (the events list's read). */
const readEvents: ReadEvents = async (scope, after, types, cursor) => {
  const page = await events.listEvents(
    scope,
    { limit: 100, cursor },
    { order: 'asc', after, ...(types ? { types } : {}) },
  );
  return { items: page.items, nextCursor: page.nextCursor };
};
const replayDeps: ReplayDeps = { store, readEvents, enqueue: deps.enqueue };

/** A stored event item as it is published: the event with its seq. */
export function publishedEvent(item: Record<string, unknown>): PublishedEvent {
  const { id, type, at, orgId, companyId, actor, subject, details } = readEvent(item);
  return {
    id,
    type,
    at,
    seq: typeof item.seq === 'number' ? item.seq : null,
    orgId,
    companyId,
    actor,
    subject,
    details,
  };
}

async function processRecord(record: DynamoDBRecord, context: Context): Promise<void> {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return;
  const item = unmarshall(image as Record<string, AttributeValue>);
  const sk = String(item.sk ?? '');
  if (sk === WEBHOOK_REPLAY_SK) {
    const request = readWebhookReplay(item);
    const out = await replay(request, replayDeps);
    log.info('webhook replay queued', {
      requestId: context.awsRequestId,
      replayId: request.id,
      webhookId: request.webhookId,
      fromSeq: request.fromSeq,
      ...out,
    });
    return;
  }
  if (!sk.startsWith(prefix.event) || item.entity !== 'event') return;
  const event = publishedEvent(item);
  const out = await publish(event, deps);
  log.info('event published', {
    requestId: context.awsRequestId,
    eventId: event.id,
    type: event.type,
    queued: out.queued,
    bus: out.bus,
  });
  metric('WebhookDeliveriesQueued', {}, out.queued);
}

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function run(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  const response = await processPartialResponse(
    event,
    (r: DynamoDBRecord) => processRecord(r, context),
    processor,
    // In parallel: subscribers carry `seq` to order by, and a batch is mostly events nobody
    // subscribed to.
    { context, processInParallel: true, throwOnFullBatchFailure: false },
  );
  if (response.batchItemFailures.length) {
    metric('PublishFailures', {}, response.batchItemFailures.length);
  }
  return response;
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>(invocation(run));
