// The one backoff schedule of omen: every retry loop (Kafka handler retries, the log buffers'
// rewrites, a service's wait for a dependency, the SCM and S3 clients, GitLab's slow-downs) takes
// its delays from here, with its own limits and jitter share. A subpath export
// (@omen/service/retry) so packages below the kit can use it without loading the rest.

export interface RetryOptions {
  /** Delay after the first failure. @default 500 */
  initialDelayMs?: number;
  /** Cap on the delay between attempts. @default 30000 */
  maxDelayMs?: number;
  /** Growth per failure. @default 2 */
  factor?: number;
  /** Give up after this many attempts. @default Infinity (a dependency that is down is waited for, never crashed on) */
  maxAttempts?: number;
  /**
   * Share of each delay drawn at random: 0 none, 0.5 "equal jitter" (uniform in [d/2, d]),
   * 1 "full jitter" (uniform in [0, d]). Callers failing together then do not retry in lockstep.
   * @default 0.5
   */
  jitter?: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: exponential, capped, the `jitter`
 * share of it drawn from `random` (injectable so a schedule can be tested). With the default
 * equal jitter a retry is never immediate.
 */
export function backoffDelayMs(
  attempt: number,
  options: RetryOptions = {},
  random: () => number = Math.random,
): number {
  const { initialDelayMs = 500, maxDelayMs = 30_000, factor = 2, jitter = 0.5 } = options;
  const d = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attempt - 1));
  return Math.round(d * (1 - jitter) + random() * d * jitter);
}
