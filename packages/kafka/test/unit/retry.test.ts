import { describe, expect, it } from 'vitest';
import { backoffDelay, retryPolicy, shouldRetry, sleep } from '../../src/retry.ts';

describe('retryPolicy', () => {
  it('fills defaults', () => {
    expect(retryPolicy()).toEqual({ max: 3, backoffMs: 200, maxBackoffMs: 10_000, jitter: 0.2 });
  });

  it('raises the default ceiling to a larger base delay', () => {
    expect(retryPolicy({ backoffMs: 20_000 }).maxBackoffMs).toBe(20_000);
  });

  it.each([
    [{ max: -1 }, /retries\.max must be a number in \[0, 1000\]; got -1/],
    [{ max: 1.5 }, /retries\.max must be an integer/],
    [{ backoffMs: Number.NaN }, /retries\.backoffMs/],
    [{ backoffMs: 500, maxBackoffMs: 100 }, /retries\.maxBackoffMs must be a number in \[500, /],
    [{ jitter: 2 }, /retries\.jitter must be a number in \[0, 1\]; got 2/],
  ])('refuses %j naming the key and the bound', (options, message) => {
    expect(() => retryPolicy(options)).toThrow(message);
  });
});

describe('backoffDelay', () => {
  const policy = retryPolicy({ max: 10, backoffMs: 100, maxBackoffMs: 1000, jitter: 0 });

  it('doubles per retry up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws only the jittered share at random', () => {
    const jittered = retryPolicy({ backoffMs: 100, maxBackoffMs: 1000, jitter: 0.5 });
    expect(backoffDelay(jittered, 2, () => 0)).toBe(100);
    expect(backoffDelay(jittered, 2, () => 1)).toBe(200);
    expect(backoffDelay(jittered, 2, () => 0.5)).toBe(150);
  });

  it('stays finite for absurd retry numbers', () => {
    expect(backoffDelay(policy, 5000)).toBe(1000);
  });

  it('refuses retry numbers below 1', () => {
    expect(() => backoffDelay(policy, 0)).toThrow(/retry must be an integer >= 1; got 0/);
  });
});

describe('shouldRetry', () => {
  const policy = retryPolicy({ max: 2 });

  it('retries retryable failures while retries are left', () => {
    expect([1, 2, 3].map((attempt) => shouldRetry(policy, attempt, true))).toEqual([true, true, false]);
  });

  it('never retries a non-retryable failure', () => {
    expect(shouldRetry(policy, 1, false)).toBe(false);
  });

  it('with max 0 gives up after the first attempt', () => {
    expect(shouldRetry(retryPolicy({ max: 0 }), 1, true)).toBe(false);
  });
});

describe('sleep', () => {
  it('resolves false at once when aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBe(false);
  });

  it('resolves true when the time passed', async () => {
    await expect(sleep(1)).resolves.toBe(true);
  });
});
