/**
 * Stored shapes of SPEC §11: webhook endpoints, their secrets, delivery attempts and replay
 * requests, each with its writer and reader (as `items.ts` does for the other entities).
 */
import type { EventType } from '../../model/events.ts';
import type {
  DeliveryAttemptRecord,
  WebhookRecord,
  WebhookReplay,
  WebhookSecrets,
} from '../../model/webhooks.ts';
import { keys, type ScopeRef } from '../../table/schema.ts';
import { type Item, str, strOrNull } from './items.ts';

/** How long delivery attempts are listed (TTL). */
export const ATTEMPT_RETENTION_S = 30 * 24 * 60 * 60;
/** How long a replay request is kept once the publisher has read it from the stream. */
const REPLAY_RETENTION_S = 24 * 60 * 60;

const ttlFrom = (at: string, seconds: number) => Math.floor(Date.parse(at) / 1000) + seconds;

export const webhookItem = (w: WebhookRecord): Item => ({
  ...keys.webhook(w.scope, w.id),
  entity: 'webhook',
  id: w.id,
  scope: w.scope,
  scopeName: w.scopeName,
  companyId: w.companyId,
  url: w.url,
  types: w.types,
  description: w.description,
  enabled: w.enabled,
  disabledReason: w.disabledReason,
  failingSince: w.failingSince,
  createdAt: w.createdAt,
  rev: w.rev,
});

export function readWebhook(item: Record<string, unknown>): WebhookRecord {
  const reason = item.disabledReason;
  return {
    id: str(item.id),
    scope: item.scope as ScopeRef,
    scopeName: str(item.scopeName),
    companyId: strOrNull(item.companyId),
    url: str(item.url),
    types: Array.isArray(item.types) ? (item.types.map(str) as EventType[]) : null,
    description: strOrNull(item.description),
    enabled: item.enabled === true,
    disabledReason: reason === 'gone' || reason === 'failing' ? reason : null,
    failingSince: strOrNull(item.failingSince),
    createdAt: str(item.createdAt),
    rev: typeof item.rev === 'number' ? item.rev : 1,
  };
}

export const webhookSecretItem = (webhookId: string, secret: string): Item => ({
  ...keys.webhookSecret(webhookId),
  entity: 'webhookSecret',
  current: secret,
  previous: null,
  previousUntil: null,
});

export const readWebhookSecrets = (item: Record<string, unknown>): WebhookSecrets => ({
  current: str(item.current),
  previous: strOrNull(item.previous),
  previousUntil: strOrNull(item.previousUntil),
});

export const webhookAttemptItem = (a: DeliveryAttemptRecord): Item => ({
  ...keys.webhookAttempt(a.webhookId, a.at, a.eventId, a.attempt),
  entity: 'webhookAttempt',
  ...a,
  ttl: ttlFrom(a.at, ATTEMPT_RETENTION_S),
});

const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function readWebhookAttempt(item: Record<string, unknown>): DeliveryAttemptRecord {
  return {
    webhookId: str(item.webhookId),
    eventId: str(item.eventId),
    seq: numOrNull(item.seq),
    type: str(item.type) as EventType,
    attempt: numOrNull(item.attempt) ?? 1,
    at: str(item.at),
    statusCode: numOrNull(item.statusCode),
    error: strOrNull(item.error),
    durationMs: numOrNull(item.durationMs) ?? 0,
    outcome: str(item.outcome) as DeliveryAttemptRecord['outcome'],
    nextAttemptAt: strOrNull(item.nextAttemptAt),
    replay: item.replay === true,
  };
}

export const webhookReplayItem = (r: WebhookReplay): Item => ({
  ...keys.webhookReplay(r.id),
  entity: 'webhookReplay',
  ...r,
  ttl: ttlFrom(r.at, REPLAY_RETENTION_S),
});

export const readWebhookReplay = (item: Record<string, unknown>): WebhookReplay => ({
  id: str(item.id),
  webhookId: str(item.webhookId),
  scope: item.scope as ScopeRef,
  fromSeq: numOrNull(item.fromSeq) ?? 1,
  at: str(item.at),
  actor: str(item.actor),
});
