import { describe, expect, it } from 'vitest';
import { decideAfterAttempt, deliveryBody, subscribes } from '../../../shared/webhooks/delivery.ts';

const now = new Date('2026-01-10T00:00:00.000Z');
const fresh = { failingSince: null };
const half = { random: () => 0.5 };

describe('what follows a delivery attempt (SPEC §11)', () => {
  it('a 2xx is delivered and ends a failing streak', () => {
    for (const statusCode of [200, 201, 204, 299]) {
      expect(
        decideAfterAttempt(
          3,
          { statusCode, retryAfterMs: null },
          { failingSince: '2026-01-09T00:00:00Z' },
          now,
        ),
      ).toEqual({ outcome: 'delivered', failingSince: null });
    }
  });

  it('anything else, or no answer, is retried on the schedule, starting the streak', () => {
    for (const statusCode of [null, 500, 301, 400, 429]) {
      expect(decideAfterAttempt(1, { statusCode, retryAfterMs: null }, fresh, now, half)).toEqual({
        outcome: 'retrying',
        delayMs: 5000,
        failingSince: now.toISOString(),
      });
    }
  });

  it('honours Retry-After as a floor', () => {
    const d = decideAfterAttempt(1, { statusCode: 429, retryAfterMs: 60_000 }, fresh, now, half);
    expect(d).toMatchObject({ outcome: 'retrying', delayMs: 60_000 });
  });

  it('fails after the eighth attempt', () => {
    expect(decideAfterAttempt(8, { statusCode: 500, retryAfterMs: null }, fresh, now)).toEqual({
      outcome: 'failed',
      failingSince: now.toISOString(),
    });
  });

  it('a 410 disables the endpoint', () => {
    expect(decideAfterAttempt(1, { statusCode: 410, retryAfterMs: null }, fresh, now)).toEqual({
      outcome: 'disabled',
      reason: 'gone',
      failingSince: null,
    });
  });

  it('failing for 5 days in a row disables it; 4 days do not', () => {
    const fail = { statusCode: 503, retryAfterMs: null };
    expect(
      decideAfterAttempt(2, fail, { failingSince: '2026-01-05T00:00:00.000Z' }, now),
    ).toMatchObject({ outcome: 'disabled', reason: 'failing' });
    expect(
      decideAfterAttempt(2, fail, { failingSince: '2026-01-06T00:00:01.000Z' }, now, half),
    ).toMatchObject({ outcome: 'retrying', failingSince: '2026-01-06T00:00:01.000Z' });
  });

  it('subscribes by type, and never while disabled', () => {
    expect(subscribes({ enabled: true, types: null }, 'member_added')).toBe(true);
    expect(subscribes({ enabled: true, types: ['domain_added'] }, 'member_added')).toBe(false);
    expect(subscribes({ enabled: false, types: null }, 'member_added')).toBe(false);
  });

  it('the body is {type, timestamp, data} with the event and its seq', () => {
    const body = JSON.parse(
      deliveryBody({
        id: 'e1',
        type: 'member_added',
        at: '2026-01-01T00:00:00.000Z',
        seq: 7,
        orgId: 'o1',
        companyId: null,
        actor: 'ada@example.com',
        subject: 'bob@example.com',
        details: { role: 'member' },
      }),
    );
    expect(body).toEqual({
      type: 'member_added',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: {
        id: 'e1',
        type: 'member_added',
        at: '2026-01-01T00:00:00.000Z',
        seq: 7,
        orgId: 'o1',
        companyId: null,
        actor: 'ada@example.com',
        subject: 'bob@example.com',
        details: { role: 'member' },
      },
    });
  });
});
