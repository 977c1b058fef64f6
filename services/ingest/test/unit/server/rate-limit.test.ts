import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from '../../../src/server/rate-limit.ts';

describe('FixedWindowLimiter', () => {
  it('lets max requests of a source through per window, then refuses until the window ends', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter(2, 10_000, { now: () => now });
    expect(limiter.hit('github|a')).toEqual({ limited: false, remaining: 1, resetSeconds: 10 });
    now += 2_500;
    expect(limiter.hit('github|a')).toEqual({ limited: false, remaining: 0, resetSeconds: 8 });
    expect(limiter.hit('github|a')).toEqual({ limited: true, remaining: 0, resetSeconds: 8 });
    // Another source has its own window.
    expect(limiter.hit('gitlab|a').limited).toBe(false);
    now += 7_500;
    expect(limiter.hit('github|a')).toEqual({ limited: false, remaining: 1, resetSeconds: 10 });
  });

  it('remembers at most maxKeys sources, dropping ended windows first, then the oldest', () => {
    let now = 0;
    const limiter = new FixedWindowLimiter(1, 1_000, { maxKeys: 2, now: () => now });
    limiter.hit('a');
    now = 500;
    limiter.hit('b');
    now = 1_200; // a's window ended, b's runs
    limiter.hit('c');
    expect(limiter.hit('b').limited).toBe(true);
    limiter.hit('d'); // both running: the oldest (b) goes
    expect(limiter.hit('c').limited).toBe(true);
    expect(limiter.hit('b').limited).toBe(false);
  });
});
