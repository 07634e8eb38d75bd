/**
 * Verifies a webhook delivery as a receiver would, with both libraries receivers use: the
 * reference `standardwebhooks` package and `svix`. Throws when either refuses it.
 */
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';

export function verifyDelivery(
  secret: string,
  body: string,
  headers: Record<string, string | string[] | undefined>,
): unknown {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') flat[k] = v;
  // svix answers nothing and throws on a bad signature; standardwebhooks answers the payload.
  new SvixWebhook(secret).verify(body, flat);
  return new StandardWebhook(secret).verify(body, flat);
}
