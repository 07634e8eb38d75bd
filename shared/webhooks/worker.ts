/**
 * The two workers of SPEC §11, over ports: `publish` fans a new event out (one queued delivery
 * per subscribed endpoint, and the event bus), and `deliverOnce` makes one attempt of a queued
 * delivery and says what follows (recorded, retried later, failed, or the endpoint disabled).
 * The functions in functions/webhook-* hand in the adapters.
 */
import { SYSTEM_ACTOR } from '../model/types.ts';
import type {
  AddressPolicy,
  DeliveryMessage,
  PublishedEvent,
  WebhookDeliveryStore,
  WebhookRecord,
  WebhookReplay,
} from '../model/webhooks.ts';
import type { Write } from '../model/writes.ts';
import { checkAddresses, checkWebhookUrl, literalAddress } from './address-policy.ts';
import { decideAfterAttempt, deliveryBody, eventData, subscribes } from './delivery.ts';
import { parseRetryAfter } from './schedule.ts';
import { signingSecrets, webhookHeaders } from './signature.ts';

/** SPEC §11: no answer within 15 s is a failed attempt. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** What a queued delivery message needs to be queued again. */
export type Enqueue = (
  messages: { message: DeliveryMessage; delaySeconds: number }[],
) => Promise<void>;

export interface PublishDeps {
  store: Pick<WebhookDeliveryStore, 'webhooksOf'>;
  enqueue: Enqueue;
  /** The event bus, when the deployment has one. */
  bus?: { put(events: { type: string; at: string; detail: unknown }[]): Promise<void> } | undefined;
}

/**
 * The endpoints an event goes to: an org's events to the org's endpoints and to its company's;
 * a company-level event to the company's endpoints.
 */
export async function subscribersOf(
  store: PublishDeps['store'],
  event: PublishedEvent,
): Promise<WebhookRecord[]> {
  const scopes = [
    ...(event.orgId ? [{ type: 'org' as const, id: event.orgId }] : []),
    ...(event.companyId ? [{ type: 'company' as const, id: event.companyId }] : []),
  ];
  const all = (await Promise.all(scopes.map((s) => store.webhooksOf(s)))).flat();
  return all.filter((w) => subscribes(w, event.type));
}

/** Fans one new event out; throws (to be retried whole) when queueing or the bus fails. */
export async function publish(
  event: PublishedEvent,
  deps: PublishDeps,
): Promise<{ queued: number; bus: boolean }> {
  const subscribers = await subscribersOf(deps.store, event);
  await deps.enqueue(
    subscribers.map((w) => ({
      message: { webhookId: w.id, scope: w.scope, event, attempt: 1, dueAt: null },
      delaySeconds: 0,
    })),
  );
  if (deps.bus) await deps.bus.put([{ type: event.type, at: event.at, detail: eventData(event) }]);
  return { queued: subscribers.length, bus: !!deps.bus };
}

/** What one HTTP attempt got (`shared/adapters/http/webhook-post.ts`). */
export type Post = (post: {
  url: string;
  address: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}) => Promise<
  | { statusCode: number; retryAfter: string | null; durationMs: number }
  | { error: string; durationMs: number }
>;

export interface DeliveryDeps {
  store: WebhookDeliveryStore;
  resolve: (host: string) => Promise<string[]>;
  post: Post;
  enqueue: Enqueue;
  policy: AddressPolicy;
  now: () => Date;
  newId: () => string;
  /** The retry schedule's scale (1 but in tests). */
  scale: number;
  random?: () => number;
  timeoutMs?: number;
}

export type DeliveryReport =
  | { outcome: 'deferred' | 'dropped' }
  | { outcome: 'delivered' | 'retrying' | 'failed' | 'disabled'; statusCode: number | null };

/** SQS's longest delay: a later attempt is queued again until it is due. */
const MAX_DELAY_S = 900;

/** The address to call, after checking the URL and every address its host has now. */
async function checkedAddress(
  url: string,
  deps: DeliveryDeps,
): Promise<{ address: string } | { refusal: string }> {
  const refusal = checkWebhookUrl(url, deps.policy);
  if (refusal) return { refusal };
  const host = new URL(url).hostname;
  const literal = literalAddress(host);
  let addresses: string[];
  try {
    addresses = literal ? [literal] : await deps.resolve(host);
  } catch (error) {
    return { refusal: `DNS look-up failed: ${(error as Error).message}` };
  }
  const refused = checkAddresses(addresses, deps.policy);
  return refused ? { refusal: refused } : { address: addresses[0]! };
}

/** The writes that disable an endpoint: the endpoint, a webhook_disabled event, the owners' mail. */
function disableWrites(
  webhook: WebhookRecord,
  reason: 'gone' | 'failing',
  failingSince: string | null,
  at: string,
  newId: () => string,
): Write[] {
  const org = webhook.scope.type === 'org' ? webhook.scope.id : null;
  const companyId = webhook.scope.type === 'company' ? webhook.scope.id : webhook.companyId;
  const details = { url: webhook.url, reason, failingSince };
  return [
    {
      kind: 'putWebhook',
      webhook: {
        ...webhook,
        enabled: false,
        disabledReason: reason,
        failingSince,
        rev: webhook.rev + 1,
      },
    },
    {
      kind: 'event',
      event: {
        id: newId(),
        at,
        type: 'webhook_disabled',
        orgId: org,
        companyId,
        actor: SYSTEM_ACTOR,
        subject: webhook.id,
        details,
      },
    },
    {
      kind: 'outbox',
      notification: {
        id: newId(),
        at,
        type: 'webhook_disabled',
        orgId: org ?? '',
        orgName: webhook.scopeName,
        companyId,
        email: SYSTEM_ACTOR,
        name: null,
        details,
      },
    },
  ];
}

/**
 * One queued delivery. A message that is not due yet goes back on the queue; one for an
 * endpoint deleted or disabled meanwhile is dropped. Otherwise: check where it may call, sign,
 * POST, record the attempt, then queue the next attempt, end the delivery, or disable the
 * endpoint. Throws only when something of its own failed (the queue redelivers the message;
 * the receiver sees the same webhook-id again).
 */
export async function deliverOnce(
  message: DeliveryMessage,
  deps: DeliveryDeps,
): Promise<DeliveryReport> {
  const now = deps.now();
  if (message.dueAt && Date.parse(message.dueAt) > now.getTime()) {
    const waitS = (Date.parse(message.dueAt) - now.getTime()) / 1000;
    await deps.enqueue([{ message, delaySeconds: Math.min(MAX_DELAY_S, waitS) }]);
    return { outcome: 'deferred' };
  }
  const [webhook, secrets] = await Promise.all([
    deps.store.getWebhook(message.scope, message.webhookId),
    deps.store.getSecrets(message.webhookId),
  ]);
  if (!webhook?.enabled || !secrets) return { outcome: 'dropped' };

  const event = message.event;
  const checked = await checkedAddress(webhook.url, deps);
  let statusCode: number | null = null;
  let retryAfter: string | null = null;
  let error: string | null = null;
  let durationMs = 0;
  if ('refusal' in checked) {
    error = `refused: ${checked.refusal}`;
  } else {
    const body = deliveryBody(event);
    const timestamp = Math.floor(now.getTime() / 1000);
    const result = await deps.post({
      url: webhook.url,
      address: checked.address,
      headers: webhookHeaders(signingSecrets(secrets, now), event.id, timestamp, body),
      body,
      timeoutMs: deps.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    });
    durationMs = result.durationMs;
    if ('error' in result) error = result.error;
    else ({ statusCode, retryAfter } = result);
  }
  const after = new Date(now.getTime() + durationMs);
  const decision = decideAfterAttempt(
    message.attempt,
    { statusCode, retryAfterMs: parseRetryAfter(retryAfter, after) },
    webhook,
    after,
    { scale: deps.scale, ...(deps.random ? { random: deps.random } : {}) },
  );
  const nextAttemptAt =
    decision.outcome === 'retrying'
      ? new Date(after.getTime() + decision.delayMs).toISOString()
      : null;
  await deps.store.recordAttempt({
    webhookId: webhook.id,
    eventId: event.id,
    seq: event.seq,
    type: event.type,
    attempt: message.attempt,
    at: now.toISOString(),
    statusCode,
    error,
    durationMs,
    outcome: decision.outcome,
    nextAttemptAt,
    replay: message.replay === true,
  });
  if (decision.outcome === 'disabled') {
    await deps.store.apply(
      disableWrites(
        webhook,
        decision.reason,
        decision.failingSince,
        after.toISOString(),
        deps.newId,
      ),
    );
    return { outcome: 'disabled', statusCode };
  }
  if (decision.failingSince !== webhook.failingSince) {
    await deps.store.setFailingSince(webhook, decision.failingSince);
  }
  if (decision.outcome === 'retrying') {
    await deps.enqueue([
      {
        message: { ...message, attempt: message.attempt + 1, dueAt: nextAttemptAt },
        delaySeconds: Math.min(MAX_DELAY_S, decision.delayMs / 1000),
      },
    ]);
  }
  return { outcome: decision.outcome, statusCode };
}

/** The events of a scope numbered after `after`, oldest first, a page at a time. */
export type ReadEvents = (
  scope: WebhookReplay['scope'],
  after: number,
  types: WebhookRecord['types'],
  cursor: string | undefined,
) => Promise<{ items: PublishedEvent[]; nextCursor: string | null }>;

export interface ReplayDeps {
  store: Pick<WebhookDeliveryStore, 'getWebhook'>;
  readEvents: ReadEvents;
  enqueue: Enqueue;
}

/** How many events one replay request sends at most (a later request goes on from there). */
export const MAX_REPLAY_EVENTS = 10_000;

/**
 * A replay request (SPEC §11): queues the scope's events from `fromSeq` on, of the types the
 * endpoint receives, for that endpoint only, in seq order, with their original ids (`replay`
 * marks the attempts). An endpoint deleted or disabled meanwhile gets nothing.
 */
export async function replay(
  request: WebhookReplay,
  deps: ReplayDeps,
): Promise<{ queued: number; truncated: boolean }> {
  const webhook = await deps.store.getWebhook(request.scope, request.webhookId);
  if (!webhook?.enabled) return { queued: 0, truncated: false };
  let queued = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await deps.readEvents(request.scope, request.fromSeq - 1, webhook.types, cursor);
    const wanted = page.items
      .filter((e) => subscribes(webhook, e.type))
      .slice(0, MAX_REPLAY_EVENTS - queued);
    await deps.enqueue(
      wanted.map((event) => ({
        message: {
          webhookId: webhook.id,
          scope: webhook.scope,
          event,
          attempt: 1,
          dueAt: null,
          replay: true,
        },
        delaySeconds: 0,
      })),
    );
    queued += wanted.length;
    if (!page.nextCursor) return { queued, truncated: false };
    if (queued >= MAX_REPLAY_EVENTS) return { queued, truncated: true };
    cursor = page.nextCursor;
  }
}
