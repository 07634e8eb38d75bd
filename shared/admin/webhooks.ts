/**
 * Webhook endpoints of an org or a company (SPEC §11): create (answering the signing secret
 * once), list, change, delete, rotate the secret, list delivery attempts, replay. Owners only,
 * 404 across tenants (the route's scope check), every change an event. The secret lives in its
 * own item that no admin read returns; rotating it is an update that never reads it.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { EventType } from '../model/events.ts';
import type { Page, PageRequest } from '../model/page.ts';
import type { DeliveryAttemptRecord, WebhookRecord } from '../model/webhooks.ts';
import type { ScopeContext, Write } from '../model/writes.ts';
import { checkAddresses, checkWebhookUrl, literalAddress } from '../webhooks/address-policy.ts';
import { ROTATION_OVERLAP_MS } from '../webhooks/signature.ts';
import { type Ctx, newEvent } from './context.ts';
import type {
  WebhookDeliveryView,
  WebhookReplayView,
  WebhookSecretView,
  WebhookView,
} from './schemas.ts';

export interface CreateWebhookInput {
  url: string;
  types?: EventType[] | null | undefined;
  description?: string | null | undefined;
}

export interface UpdateWebhookInput {
  url?: string | undefined;
  types?: EventType[] | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

export const webhookView = (w: WebhookRecord): WebhookView => ({
  id: w.id,
  url: w.url,
  types: w.types ? [...w.types] : null,
  description: w.description,
  enabled: w.enabled,
  disabledReason: w.disabledReason,
  failingSince: w.failingSince,
  createdAt: w.createdAt,
});

export const deliveryView = (a: DeliveryAttemptRecord): WebhookDeliveryView => ({
  eventId: a.eventId,
  seq: a.seq,
  type: a.type,
  attempt: a.attempt,
  at: a.at,
  statusCode: a.statusCode,
  error: a.error,
  durationMs: a.durationMs,
  outcome: a.outcome,
  nextAttemptAt: a.nextAttemptAt,
  replay: a.replay,
});

/**
 * SPEC §11 at creation: the URL's shape, then (for a name) every address it resolves to now.
 * Deliveries check the addresses again each time; a name that does not resolve yet is refused
 * here, as a user would want to hear of a typo at once.
 */
async function checkUrl(ctx: Ctx, raw: string): Promise<string> {
  const url = raw.trim();
  const { policy, resolve } = ctx.deps.webhooks;
  const refusal = checkWebhookUrl(url, policy);
  if (refusal) throw new ValidationError('url', refusal);
  const host = new URL(url).hostname;
  if (!literalAddress(host)) {
    const addresses = await resolve(host);
    const refused = checkAddresses(addresses, policy, new URL(url).protocol);
    if (refused) throw new ValidationError('url', refused);
  }
  return url;
}

/** Types as stored: `null` for every type; duplicates dropped, in catalogue order. */
const typesOf = (types: EventType[] | null | undefined): EventType[] | null =>
  types ? [...new Set(types)] : null;

const scopeInfo = (scope: ScopeContext) =>
  scope.type === 'org'
    ? { scopeName: scope.org.name, companyId: scope.org.companyId }
    : { scopeName: scope.company.name, companyId: null };

export async function createWebhook(
  ctx: Ctx,
  scope: ScopeContext,
  input: CreateWebhookInput,
): Promise<WebhookView & { secret: string }> {
  const url = await checkUrl(ctx, input.url);
  const webhook: WebhookRecord = {
    id: ctx.deps.newId(),
    scope: scope.ref,
    ...scopeInfo(scope),
    url,
    types: typesOf(input.types),
    description: input.description?.trim() || null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: ctx.at,
    rev: 1,
  };
  const secret = ctx.deps.webhooks.newSecret();
  await ctx.deps.store.apply([
    { kind: 'putWebhook', webhook },
    { kind: 'putWebhookSecret', webhookId: webhook.id, secret },
    {
      kind: 'event',
      event: newEvent(ctx, scope, 'webhook_created', webhook.id, {
        url,
        types: webhook.types,
      }),
    },
  ]);
  return { ...webhookView(webhook), secret };
}

export async function listWebhooks(
  ctx: Ctx,
  scope: ScopeContext,
  page: PageRequest,
): Promise<Page<WebhookView>> {
  const out = await ctx.deps.webhooks.store.listWebhooks(scope.ref, page);
  return { items: out.items.map(webhookView), nextCursor: out.nextCursor };
}

/** The endpoint, when it is this scope's: 404 otherwise (another tenant's id too). */
async function readWebhook(ctx: Ctx, scope: ScopeContext, id: string): Promise<WebhookRecord> {
  const webhook = id ? await ctx.deps.webhooks.store.getWebhook(scope.ref, id) : undefined;
  if (!webhook) throw new NotFoundError(`Webhook ${id} not found`);
  return webhook;
}

const changedMeanwhile = (id: string) => `Webhook ${id} changed meanwhile; read it again and retry`;

export async function getWebhook(ctx: Ctx, scope: ScopeContext, id: string): Promise<WebhookView> {
  return webhookView(await readWebhook(ctx, scope, id));
}

export async function updateWebhook(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
  input: UpdateWebhookInput,
): Promise<WebhookView> {
  const before = await readWebhook(ctx, scope, id);
  const after: WebhookRecord = { ...before, rev: before.rev + 1 };
  const changes: Record<string, unknown> = {};
  if (input.url !== undefined) {
    after.url = await checkUrl(ctx, input.url);
    if (after.url !== before.url) changes.url = after.url;
  }
  if (input.types !== undefined) {
    after.types = typesOf(input.types);
    changes.types = after.types;
  }
  if (input.description !== undefined) {
    after.description = input.description?.trim() || null;
    changes.description = after.description;
  }
  if (input.enabled !== undefined) {
    after.enabled = input.enabled;
    if (input.enabled) {
      // Enabled again by its owners: a fresh start.
      after.disabledReason = null;
      after.failingSince = null;
    }
    if (input.enabled !== before.enabled) changes.enabled = input.enabled;
  }
  await ctx.deps.store.apply([
    { kind: 'putWebhook', webhook: after, conflict: changedMeanwhile(id) },
    { kind: 'event', event: newEvent(ctx, scope, 'webhook_updated', id, changes) },
  ]);
  return webhookView(after);
}

export async function deleteWebhook(ctx: Ctx, scope: ScopeContext, id: string): Promise<void> {
  const webhook = await readWebhook(ctx, scope, id);
  await ctx.deps.store.apply([
    {
      kind: 'deleteWebhook',
      scope: scope.ref,
      id,
      rev: webhook.rev,
      conflict: changedMeanwhile(id),
    },
    { kind: 'event', event: newEvent(ctx, scope, 'webhook_deleted', id, { url: webhook.url }) },
  ]);
}

/**
 * A new secret, answered once; the one it replaces signs every delivery too for 24 h, so
 * receivers can switch without losing one.
 */
export async function rotateSecret(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
): Promise<WebhookSecretView> {
  const webhook = await readWebhook(ctx, scope, id);
  const secret = ctx.deps.webhooks.newSecret();
  const previousUntil = new Date(Date.parse(ctx.at) + ROTATION_OVERLAP_MS).toISOString();
  const writes: Write[] = [
    // The endpoint is bumped so that a rotation racing its deletion is refused.
    {
      kind: 'putWebhook',
      webhook: { ...webhook, rev: webhook.rev + 1 },
      conflict: changedMeanwhile(id),
    },
    {
      kind: 'rotateWebhookSecret',
      webhookId: id,
      secret,
      previousUntil,
      conflict: changedMeanwhile(id),
    },
    {
      kind: 'event',
      event: newEvent(ctx, scope, 'webhook_updated', id, { secretRotated: true, previousUntil }),
    },
  ];
  await ctx.deps.store.apply(writes);
  return { secret, previousSecretExpiresAt: previousUntil };
}

export async function listDeliveries(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
  page: PageRequest,
): Promise<Page<WebhookDeliveryView>> {
  await readWebhook(ctx, scope, id);
  const out = await ctx.deps.webhooks.store.listDeliveries(id, page);
  return { items: out.items.map(deliveryView), nextCursor: out.nextCursor };
}

/**
 * Re-sends the scope's events from `fromSeq` on (with their original ids) to this endpoint:
 * recorded as a replay request that the publisher carries out once it commits. A disabled
 * endpoint is 409: enable it first.
 */
export async function replay(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
  input: { fromSeq: number },
): Promise<WebhookReplayView> {
  const webhook = await readWebhook(ctx, scope, id);
  if (!webhook.enabled) {
    throw new ConflictError(`Webhook ${id} is disabled; enable it before replaying`);
  }
  const request = {
    id: ctx.deps.newId(),
    webhookId: id,
    scope: scope.ref,
    fromSeq: input.fromSeq,
    at: ctx.at,
    actor: ctx.caller.email,
  };
  await ctx.deps.store.apply([{ kind: 'putWebhookReplay', replay: request }]);
  return { id: request.id, webhookId: id, fromSeq: input.fromSeq, requestedAt: ctx.at };
}
