/** Webhook endpoints (SPEC §11), their secrets (apart, never read by the admin API) and replays. */
import { keys } from '../../../table/schema.ts';
import type { TransactItem } from '../transact.ts';
import { webhookItem, webhookReplayItem, webhookSecretItem } from '../webhook-items.ts';
import { ABSENT, del, EXISTS, put, update, type WriteContext, type WriteOf } from './context.ts';

export function putWebhook(cx: WriteContext, w: WriteOf<'putWebhook'>): TransactItem[] {
  const item = webhookItem(w.webhook);
  return [
    w.webhook.rev === 1
      ? put(cx, item, ABSENT)
      : put(cx, item, {
          expression: 'attribute_exists(pk) AND rev = :prev',
          values: { ':prev': w.webhook.rev - 1 },
        }),
  ];
}

export function deleteWebhook(cx: WriteContext, w: WriteOf<'deleteWebhook'>): TransactItem[] {
  return [
    del(cx, keys.webhook(w.scope, w.id), { expression: 'rev = :rev', values: { ':rev': w.rev } }),
    del(cx, keys.webhookSecret(w.id)),
  ];
}

export function putWebhookSecret(cx: WriteContext, w: WriteOf<'putWebhookSecret'>): TransactItem[] {
  return [put(cx, webhookSecretItem(w.webhookId, w.secret), ABSENT)];
}

export function rotateWebhookSecret(
  cx: WriteContext,
  w: WriteOf<'rotateWebhookSecret'>,
): TransactItem[] {
  return [
    update(
      cx,
      keys.webhookSecret(w.webhookId),
      'SET previous = #current, #current = :secret, previousUntil = :until',
      EXISTS,
      { ':secret': w.secret, ':until': w.previousUntil },
      { '#current': 'current' },
    ),
  ];
}

export function putWebhookReplay(cx: WriteContext, w: WriteOf<'putWebhookReplay'>): TransactItem[] {
  return [put(cx, webhookReplayItem(w.replay), ABSENT)];
}
