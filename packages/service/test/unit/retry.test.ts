import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '@omen/service';

describe('backoffDelayMs', () => {
  const opts = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };

  it('doubles per attempt up to the cap, within [d/2, d]', () => {
    const lows = [1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, opts, () => 0));
    const highs = [1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, opts, () => 1));
    expect(lows).toEqual([50, 100, 200, 400, 500, 500]);
    expect(highs).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads replicas out (jitter) but never retries immediately', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, opts)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('uses documented defaults (500 ms doubling, 30 s cap)', () => {
    expect(backoffDelayMs(1, {}, () => 1)).toBe(500);
    expect(backoffDelayMs(20, {}, () => 1)).toBe(30_000);
  });

  it('draws the jitter share it is given: none, or the whole delay (full jitter)', () => {
    expect([0, 0.5, 1].map((r) => backoffDelayMs(3, { ...opts, jitter: 0 }, () => r))).toEqual([400, 400, 400]);
    expect([0, 0.5, 1].map((r) => backoffDelayMs(3, { ...opts, jitter: 1 }, () => r))).toEqual([0, 200, 400]);
  });
});
