import { describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPTS,
  parseRetryAfter,
  RETRY_SCHEDULE_MS,
  retryDelayMs,
} from '../../../shared/webhooks/schedule.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('the retry schedule (SPEC §11)', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then gives up', () => {
    expect(RETRY_SCHEDULE_MS).toEqual([5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(MAX_ATTEMPTS).toBe(8);
    const exact = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => retryDelayMs(a, { random: exact }))).toEqual(
      RETRY_SCHEDULE_MS,
    );
    expect(retryDelayMs(8)).toBeNull();
    expect(retryDelayMs(0)).toBeNull();
  });

  it('jitters by ±10 % at most', () => {
    expect(retryDelayMs(2, { random: () => 0 })).toBe(4.5 * M);
    expect(retryDelayMs(2, { random: () => 0.999999 })).toBeCloseTo(5.5 * M, -1);
  });

  it('never retries sooner than Retry-After asks, capped at the longest wait', () => {
    expect(retryDelayMs(1, { random: () => 0.5, retryAfterMs: 120 * S })).toBe(120 * S);
    expect(retryDelayMs(3, { random: () => 0.5, retryAfterMs: 1 * S })).toBe(30 * M);
    expect(retryDelayMs(1, { random: () => 0.5, retryAfterMs: 100 * H })).toBe(10 * H);
  });

  it('is scaled by a test setting', () => {
    expect(retryDelayMs(4, { random: () => 0.5, scale: 0.001 })).toBe(7.2 * S);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120 * S);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60 * S);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});
