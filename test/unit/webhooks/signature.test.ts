import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  signingSecrets,
  webhookHeaders,
} from '../../../shared/webhooks/signature.ts';
import { verifyDelivery } from '../../support/webhook-verify.ts';

const verifiers = (secret: string) => [new StandardWebhook(secret), new SvixWebhook(secret)];

/** Both libraries accept it (svix answers nothing, standardwebhooks the payload). */
const verifyAll = (secret: string, body: string, headers: Record<string, string>) => {
  expect(verifyDelivery(secret, body, headers)).toEqual(JSON.parse(body));
};

describe('Standard Webhooks signatures (SPEC §11)', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });

  it('signs so that standardwebhooks and svix both verify, unicode and all', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'member_added', data: { subject: 'zoë@例え.jp' } });
    const now = Math.floor(Date.now() / 1000);
    verifyAll(secret, body, webhookHeaders([secret], 'evt_1', now, body));
  });

  it('during a rotation signs with both secrets, each verifying alone', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const body = '{"type":"domain_added","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
    const now = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([newSecret, oldSecret], 'evt_2', now, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    verifyAll(oldSecret, body, headers);
    verifyAll(newSecret, body, headers);
    expect(() => new StandardWebhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('keeps the previous secret for its 24 h only', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    const live = { current: 'a', previous: 'b', previousUntil: '2026-01-02T00:00:01Z' };
    expect(signingSecrets(live, now)).toEqual(['a', 'b']);
    expect(signingSecrets({ ...live, previousUntil: '2026-01-02T00:00:00Z' }, now)).toEqual(['a']);
    expect(signingSecrets({ current: 'a', previous: null, previousUntil: null }, now)).toEqual([
      'a',
    ]);
  });

  it('a tampered body or id fails verification', () => {
    const secret = newWebhookSecret();
    const body = '{"a":1}';
    const headers = webhookHeaders([secret], 'evt_3', Math.floor(Date.now() / 1000), body);
    for (const v of verifiers(secret)) {
      expect(() => v.verify('{"a":2}', headers)).toThrow();
      expect(() => v.verify(body, { ...headers, 'webhook-id': 'evt_4' })).toThrow();
    }
  });
});
