import { backoffDelayMs } from '@omen/service/retry';

/** How a consumer retries a record whose handler failed with a retryable error. */
export interface RetryOptions {
  /**
   * Retries after the first attempt; 0 sends a failing record to the DLQ at once.
   * @default 3
   */
  max?: number;
  /**
   * Delay before the first retry; each further retry doubles it.
   * @default 200
   */
  backoffMs?: number;
  /**
   * Ceiling of one delay, so a long run of retries cannot outlast the group's patience.
   * @default 10000
   */
  maxBackoffMs?: number;
  /**
   * Share of each delay drawn at random (0 = none, 1 = "full jitter"), so that consumers
   * failing together do not retry in lockstep against the same sink.
   * @default 0.2
   */
  jitter?: number;
}

export interface RetryPolicy {
  readonly max: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { max: 3, backoffMs: 200, maxBackoffMs: 10_000, jitter: 0.2 };

function bounded(key: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${key} must be a number in [${min}, ${max}]; got ${String(value)}`);
  }
  return value;
}

/** Fills in defaults and refuses out-of-range values, naming the option and its bound. */
export function retryPolicy(options: RetryOptions = {}, key = 'retries'): RetryPolicy {
  const max = bounded(`${key}.max`, options.max ?? DEFAULT_RETRY.max, 0, 1000);
  if (!Number.isInteger(max)) throw new RangeError(`${key}.max must be an integer; got ${max}`);
  const backoffMs = bounded(`${key}.backoffMs`, options.backoffMs ?? DEFAULT_RETRY.backoffMs, 0, 3_600_000);
  const maxBackoffMs = bounded(
    `${key}.maxBackoffMs`,
    options.maxBackoffMs ?? Math.max(DEFAULT_RETRY.maxBackoffMs, backoffMs),
    backoffMs,
    3_600_000,
  );
  const jitter = bounded(`${key}.jitter`, options.jitter ?? DEFAULT_RETRY.jitter, 0, 1);
  return { max, backoffMs, maxBackoffMs, jitter };
}

/**
 * Delay before retry number `retry` (1-based): backoffMs·2^(retry−1), capped at maxBackoffMs,
 * with the jittered share drawn from `random` (injectable so the schedule can be tested).
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer >= 1; got ${retry}`);
  return backoffDelayMs(
    retry,
    { initialDelayMs: policy.backoffMs, maxDelayMs: policy.maxBackoffMs, jitter: policy.jitter },
    random,
  );
}

/**
 * Whether a failed attempt (1-based) may be tried again: only retryable errors, and only while
 * retries are left.
 */
export function shouldRetry(policy: RetryPolicy, attempt: number, retryable: boolean): boolean {
  return retryable && attempt <= policy.max;
}

/** Waits `ms`, waking early (and resolving false) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
