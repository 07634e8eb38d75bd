/**
 * The webhook delivery queue, locally: an in-process stand-in for SQS and its Lambda event
 * source (infra/constructs/webhooks.ts). Messages wait out their `DelaySeconds`, then each is
 * handed to the delivery function on its own (as many at once as arrive: a hanging endpoint
 * holds no other message); a message the function reports failed (partial batch response) or
 * an invocation that failed comes back after a visibility timeout, and after 5 receives goes
 * to a dead-letter file. Kept in memory: a restart of the local stack forgets what was queued.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { SQSRecord } from 'aws-lambda';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './options.ts';

export const LOCAL_QUEUE_NAME = 'provisio-webhooks';

export interface LocalQueue {
  /** The queue's URL under the API server (`…/<account>/<name>`). */
  readonly url: string;
  /** Queues a message; answers its id and the MD5 of its body (as SQS does). */
  send(body: string, delaySeconds: number): { messageId: string; md5: string };
  stop(): Promise<void>;
}

export interface LocalQueueOptions {
  readonly apiUrl: string;
  readonly runtime: LambdaRuntime;
  readonly functionName: string;
  readonly deadLetterFile: string;
  /** @default 5, as the deployed redrive policy */
  readonly maxReceives?: number;
  /** How long a failed message stays invisible. @default 2000 */
  readonly visibilityMs?: number;
  readonly log?: (line: string) => void;
}

export function startLocalQueue(options: LocalQueueOptions): LocalQueue {
  const maxReceives = options.maxReceives ?? 5;
  const visibilityMs = options.visibilityMs ?? 2000;
  const arn = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_QUEUE_NAME}`;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
  };

  function dispatch(record: SQSRecord, receives: number): void {
    const current: SQSRecord = {
      ...record,
      receiptHandle: randomUUID(),
      attributes: { ...record.attributes, ApproximateReceiveCount: String(receives) },
    };
    const run = (async () => {
      const outcome = await options.runtime.invoke(options.functionName, { Records: [current] });
      let failed = !!outcome.functionError;
      if (!failed) {
        try {
          const response = JSON.parse(outcome.payload) as {
            batchItemFailures?: { itemIdentifier?: string }[];
          } | null;
          failed = (response?.batchItemFailures ?? []).some(
            (f) => f.itemIdentifier === record.messageId,
          );
        } catch {
          failed = true;
        }
      }
      if (!failed || stopped) return;
      if (receives >= maxReceives) {
        await appendFile(options.deadLetterFile, `${JSON.stringify({ queue: arn, record })}\n`);
        options.log?.(
          `queue: message ${record.messageId} dead-lettered after ${receives} receives`,
        );
        return;
      }
      later(visibilityMs, () => dispatch(record, receives + 1));
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  return {
    url: `${options.apiUrl}/${LOCAL_ACCOUNT_ID}/${LOCAL_QUEUE_NAME}`,
    send(body, delaySeconds) {
      const messageId = randomUUID();
      const md5 = createHash('md5').update(body).digest('hex');
      const now = Date.now();
      const record: SQSRecord = {
        messageId,
        receiptHandle: '',
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(now),
          SenderId: LOCAL_ACCOUNT_ID,
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: md5,
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: LOCAL_REGION,
      };
      later(Math.max(0, delaySeconds) * 1000, () => dispatch(record, 1));
      return { messageId, md5 };
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => setTimeout(resolve, 3000)),
      ]);
    },
  };
}
