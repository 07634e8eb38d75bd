/**
 * The AWS APIs the webhook workers call, served by the local API server (SPEC §11) beside the
 * Lambda Invoke API: SQS's SendMessage and SendMessageBatch (AWS JSON 1.0) into the local
 * queue, and EventBridge's PutEvents (AWS JSON 1.1), whose entries `GET /_local/events` lists.
 * Recognised by the `X-Amz-Target` header, as the real endpoints dispatch.
 */
import { randomUUID } from 'node:crypto';
import type { HttpResponse } from './http-api.ts';
import type { LocalQueue } from './webhook-queue.ts';

/** An event the local bus received. */
export interface ReceivedEvent {
  /** Position in this process's list, from 1. */
  seq: number;
  id: string;
  receivedAt: string;
  eventBusName: string | null;
  source: string;
  detailType: string;
  detail: unknown;
  time: string | null;
}

export interface LocalAwsServices {
  /** Answers a request whose `X-Amz-Target` it serves; `undefined` for any other. */
  handle(target: string, body: Buffer): HttpResponse | undefined;
  /** Events put on the bus, oldest first (`since`: after that `seq`). */
  events(since?: number): ReceivedEvent[];
}

const reply = (statusCode: number, body: unknown, contentType: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID() },
  body: Buffer.from(JSON.stringify(body)),
});

const MAX_EVENTS = 10_000;

export function createLocalAwsServices(queue: LocalQueue): LocalAwsServices {
  const received: ReceivedEvent[] = [];
  let seq = 0;
  const sqsError = (message: string) =>
    reply(
      400,
      { __type: 'com.amazonaws.sqs#InvalidParameterValue', message },
      'application/x-amz-json-1.0',
    );

  function sendOne(entry: { MessageBody?: unknown; DelaySeconds?: unknown }) {
    const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
    const delay = typeof entry.DelaySeconds === 'number' ? entry.DelaySeconds : 0;
    if (!body || delay < 0 || delay > 900) return undefined;
    return queue.send(body, delay);
  }

  return {
    handle(target, raw) {
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        return undefined;
      }
      if (target === 'AmazonSQS.SendMessage') {
        const sent = sendOne(input);
        if (!sent) return sqsError('MessageBody is required and DelaySeconds must be 0 to 900');
        return reply(
          200,
          { MessageId: sent.messageId, MD5OfMessageBody: sent.md5 },
          'application/x-amz-json-1.0',
        );
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const entries = Array.isArray(input.Entries)
          ? (input.Entries as Record<string, unknown>[])
          : [];
        if (entries.length === 0 || entries.length > 10) return sqsError('1 to 10 entries');
        const Successful = [];
        const Failed = [];
        for (const entry of entries) {
          const sent = sendOne(entry);
          if (sent)
            Successful.push({
              Id: entry.Id,
              MessageId: sent.messageId,
              MD5OfMessageBody: sent.md5,
            });
          else Failed.push({ Id: entry.Id, SenderFault: true, Code: 'InvalidParameterValue' });
        }
        return reply(200, { Successful, Failed }, 'application/x-amz-json-1.0');
      }
      if (target === 'AWSEvents.PutEvents') {
        const entries = Array.isArray(input.Entries)
          ? (input.Entries as Record<string, unknown>[])
          : [];
        const out = entries.map((e) => {
          const id = randomUUID();
          let detail: unknown;
          try {
            detail = JSON.parse(String(e.Detail ?? ''));
          } catch {
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
          }
          received.push({
            seq: ++seq,
            id,
            receivedAt: new Date().toISOString(),
            eventBusName: typeof e.EventBusName === 'string' ? e.EventBusName : null,
            source: String(e.Source ?? ''),
            detailType: String(e.DetailType ?? ''),
            detail,
            time: typeof e.Time === 'number' ? new Date(e.Time * 1000).toISOString() : null,
          });
          if (received.length > MAX_EVENTS) received.shift();
          return { EventId: id };
        });
        return reply(
          200,
          { FailedEntryCount: out.filter((e) => 'ErrorCode' in e).length, Entries: out },
          'application/x-amz-json-1.1',
        );
      }
      return undefined;
    },
    events: (since = 0) => received.filter((e) => e.seq > since),
  };
}
