import type { EachBatchPayload } from 'kafkajs';
import { OmenError, isOmenError, isRetryable } from '@omen/errors';
import { fromKafkaError } from '../errors.ts';
import { backoffDelay, shouldRetry, sleep } from '../retry.ts';
import type { ConsumerScope } from './types.ts';

export interface Failure {
  error: OmenError;
  retryable: boolean;
}

/** How a run of attempts ended: done, a failure to dead-letter, or left because the consumer stops. */
export type AttemptsResult = { ok: true } | { ok: false; error: OmenError; attempts: number } | 'abandoned';

/**
 * OmenErrors say for themselves whether a retry can help (a handler rejects a record for good
 * with a non-retryable code such as INVALID_ARGUMENT). Anything else — a driver's socket error,
 * a bug — is retried within the bound before the DLQ: an outage of a sink that throws plain
 * errors must not dead-letter a healthy stream, and a bug only costs the retries.
 */
export function classify(err: unknown): Failure {
  if (isOmenError(err)) return { error: err, retryable: isRetryable(err) };
  if (err instanceof Error && err.name.startsWith('KafkaJS')) {
    const error = fromKafkaError(err, 'handling a record');
    return { error, retryable: isRetryable(error) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    error: new OmenError(isRetryable(err) ? 'UNAVAILABLE' : 'UNKNOWN', message, { cause: err }),
    retryable: true,
  };
}

/** Keeps the group membership alive while a handler or a backoff takes longer than a heartbeat. */
export async function withHeartbeats<V, T>(
  scope: ConsumerScope<V>,
  payload: EachBatchPayload,
  fn: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    // A failed heartbeat (rebalance under way) is not this record's failure; the fetch
    // loop rejoins the group, and commits of a stale generation fail loudly there.
    payload.heartbeat().catch((err: unknown) => scope.log.debug({ group: scope.group, err }, 'heartbeat failed'));
  }, scope.settings.heartbeatIntervalMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs `attemptOnce` until it succeeds, retrying retryable failures with backoff. Returns
 * the failure to dead-letter, or 'abandoned' when the consumer is stopping.
 */
export async function attempts<V>(
  scope: ConsumerScope<V>,
  topic: string,
  payload: EachBatchPayload,
  attemptOnce: (attempt: number) => Promise<void>,
): Promise<AttemptsResult> {
  const { group, settings, deps, log, signal } = scope;
  for (let attempt = 1; ; attempt++) {
    try {
      await withHeartbeats(scope, payload, () => attemptOnce(attempt));
      return { ok: true };
    } catch (err) {
      if (signal.aborted) return 'abandoned';
      const { error, retryable } = classify(err);
      deps.metrics.failed.inc({ group, topic, code: error.code });
      if (!shouldRetry(settings.retry, attempt, retryable)) return { ok: false, error, attempts: attempt };
      const delay = backoffDelay(settings.retry, attempt);
      log.warn({ group, topic, attempt, delayMs: delay, code: error.code, err: error }, 'handler failed; retrying');
      const slept = await withHeartbeats(scope, payload, () => sleep(delay, signal));
      if (!slept) return 'abandoned';
    }
  }
}
