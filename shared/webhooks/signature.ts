/**
 * Standard Webhooks signing (standardwebhooks.com, SPEC §11): a secret is `whsec_` + base64 of
 * 32 random bytes; a delivery carries `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one signature per
 * secret in force, space-separated. A few lines of node:crypto: no library on the hot path.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { WebhookSecrets } from '../model/webhooks.ts';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret. */
export const newWebhookSecret = (): string =>
  `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** The HMAC key of a secret: the bytes its base64 part encodes. */
const keyOf = (secret: string): Buffer =>
  Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );

/** One `v1,<signature>` of the content with one secret. */
export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The secrets that sign at `now`: the current one, and the previous one during its 24 h. */
export function signingSecrets(secrets: WebhookSecrets, now: Date): string[] {
  const previousLive =
    secrets.previous && secrets.previousUntil && Date.parse(secrets.previousUntil) > now.getTime();
  return previousLive ? [secrets.current, secrets.previous!] : [secrets.current];
}

/** The three Standard Webhooks headers of one attempt. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signatureOf(s, id, timestamp, body)).join(' '),
  };
}

/** How long a rotated-out secret still signs. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
