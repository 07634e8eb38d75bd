import { describe, expect, it } from 'vitest';
import { backoffMs, sleep } from '../../shared/backoff.ts';

describe('backoffMs', () => {
  it('doubles from the base with each attempt, from attempt 0', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, { baseMs: 20 }))).toEqual([20, 40, 80, 160]);
  });

  it('stops at the cap, however many attempts (no overflow to NaN)', () => {
    const cap = { baseMs: 200, capMs: 5000 };
    expect([0, 4, 5, 6, 2000].map((a) => backoffMs(a, cap))).toEqual([200, 3200, 5000, 5000, 5000]);
  });

  it('full jitter draws uniformly below the capped delay', () => {
    const opts = { baseMs: 10, capMs: 200, jitter: 'full' } as const;
    expect(backoffMs(3, opts, () => 0)).toBe(0);
    expect(backoffMs(3, opts, () => 0.5)).toBe(40);
    expect(backoffMs(9, opts, () => 0.999)).toBeCloseTo(199.8);
    for (let i = 0; i < 200; i++) {
      const ms = backoffMs(i % 12, opts);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(200);
    }
  });

  it('centred jitter draws between half and one and a half times the delay', () => {
    const opts = { baseMs: 10, jitter: 'centred' } as const;
    expect(backoffMs(2, opts, () => 0)).toBe(20);
    expect(backoffMs(2, opts, () => 0.5)).toBe(40);
    expect(backoffMs(2, opts, () => 0.999)).toBeCloseTo(59.96);
  });

  it('keeps each retry loop at the delays it always had', () => {
    // Mail records (attempt from 1), BatchGet rounds (from 0), the stream poller (from 1).
    expect([1, 2, 3].map((a) => backoffMs(a, { baseMs: 100 }))).toEqual([200, 400, 800]);
    expect([0, 1, 5].map((r) => backoffMs(r, { baseMs: 20 }))).toEqual([20, 40, 640]);
    expect([1, 2, 6, 7].map((a) => backoffMs(a - 1, { baseMs: 200, capMs: 5000 }))).toEqual([
      200, 400, 5000, 5000,
    ]);
  });
});

describe('sleep', () => {
  it('resolves after the given time', async () => {
    const start = Date.now();
    await sleep(20);
    expect(Date.now() - start).toBeGreaterThanOrEqual(15);
  });
});
