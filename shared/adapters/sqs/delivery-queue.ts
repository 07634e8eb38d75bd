/**
 * The webhook delivery queue (SPEC §11) on SQS: the publisher queues one message per endpoint
 * and event, and the delivery worker queues the next attempt, delayed by `DelaySeconds` (SQS
 * allows 15 minutes at most; a longer wait is queued again until due). One client per process.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../../config.ts';
import { UnavailableError } from '../../errors.ts';
import type { DeliveryMessage } from '../../model/webhooks.ts';

/** SQS's longest `DelaySeconds`. */
export const MAX_DELAY_SECONDS = 900;

export interface DeliveryQueue {
  /** Queues messages, each with its delay in seconds (capped at 15 minutes). */
  send(messages: { message: DeliveryMessage; delaySeconds: number }[]): Promise<void>;
}

export function createDeliveryQueue(config: Config): DeliveryQueue {
  const queueUrl = config.webhookQueueUrl;
  const client = new SQSClient({
    region: config.region,
    ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
    maxAttempts: 3,
  });
  return {
    async send(messages) {
      if (!queueUrl) throw new Error('Missing required environment variable WEBHOOK_QUEUE_URL');
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const out = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, n) => ({
              Id: String(n),
              MessageBody: JSON.stringify(m.message),
              DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(m.delaySeconds))),
            })),
          }),
        );
        // A partly failed batch fails the caller, which is retried whole: a message sent twice
        // is delivered twice with the same webhook-id, which receivers dedupe.
        if (out.Failed?.length) {
          throw new UnavailableError(
            `SQS refused ${out.Failed.length} message(s): ${out.Failed.map((f) => f.Code).join(', ')}`,
          );
        }
      }
    },
  };
}
