/**
 * What a delivery attempt means (SPEC §11), decided without I/O: who receives an event, the
 * body they get, and after an attempt whether the delivery is done, retried (when), failed, or
 * whether the endpoint is disabled (a 410, or failing for 5 days in a row).
 */
import type { EventType } from '../model/events.ts';
import type { PublishedEvent, WebhookRecord } from '../model/webhooks.ts';
import { DISABLE_AFTER_MS, retryDelayMs, type ScheduleOptions } from './schedule.ts';

/** Whether an endpoint receives events of this type now. */
export const subscribes = (w: Pick<WebhookRecord, 'enabled' | 'types'>, type: EventType): boolean =>
  w.enabled && (w.types === null || w.types.includes(type));

/** The `data` of a delivery and the `Detail` of an EventBridge entry: the event with its seq. */
export const eventData = (e: PublishedEvent) => ({
  id: e.id,
  type: e.type,
  at: e.at,
  seq: e.seq,
  actor: e.actor,
  subject: e.subject,
  orgId: e.orgId,
  companyId: e.companyId,
  details: e.details,
});

/** The body of a delivery, `{type, timestamp, data}`, as sent (one serialisation, signed as is). */
export const deliveryBody = (e: PublishedEvent): string =>
  JSON.stringify({ type: e.type, timestamp: e.at, data: eventData(e) });

/** What an attempt came to. */
export interface AttemptOutcome {
  /** The HTTP status, when the endpoint answered in time. */
  statusCode: number | null;
  /** `Retry-After`, in ms, when the answer carried one. */
  retryAfterMs: number | null;
}

/** What follows an attempt. */
export type AttemptDecision =
  | { outcome: 'delivered'; failingSince: null }
  | { outcome: 'retrying'; delayMs: number; failingSince: string }
  | { outcome: 'failed'; failingSince: string }
  | { outcome: 'disabled'; reason: 'gone' | 'failing'; failingSince: string | null };

export const isSuccess = (statusCode: number | null): boolean =>
  statusCode !== null && statusCode >= 200 && statusCode < 300;

/** Decides what follows attempt `attempt` (1-based) of a delivery to an endpoint. */
export function decideAfterAttempt(
  attempt: number,
  result: AttemptOutcome,
  webhook: Pick<WebhookRecord, 'failingSince'>,
  now: Date,
  schedule: Omit<ScheduleOptions, 'retryAfterMs'> = {},
): AttemptDecision {
  if (isSuccess(result.statusCode)) return { outcome: 'delivered', failingSince: null };
  if (result.statusCode === 410) {
    return { outcome: 'disabled', reason: 'gone', failingSince: webhook.failingSince };
  }
  const failingSince = webhook.failingSince ?? now.toISOString();
  if (now.getTime() - Date.parse(failingSince) >= DISABLE_AFTER_MS * (schedule.scale ?? 1)) {
    return { outcome: 'disabled', reason: 'failing', failingSince };
  }
  const delayMs = retryDelayMs(attempt, { ...schedule, retryAfterMs: result.retryAfterMs });
  return delayMs === null
    ? { outcome: 'failed', failingSince }
    : { outcome: 'retrying', delayMs, failingSince };
}
