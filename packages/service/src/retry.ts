export interface RetryOptions {
  /** Delay after the first failure. @default 500 */
  initialDelayMs?: number;
  /** Cap on the delay between attempts. @default 30000 */
  maxDelayMs?: number;
  /** Growth per failure. @default 2 */
  factor?: number;
  /** Give up after this many attempts. @default Infinity (a dependency that is down is waited for, never crashed on) */
  maxAttempts?: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: exponential, capped, with
 * "equal jitter" (uniform in [d/2, d]) so restarted replicas do not retry in lockstep, yet
 * never retry immediately.
 */
export function backoffDelayMs(attempt: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs = 500, maxDelayMs = 30_000, factor = 2 } = options;
  const d = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}
