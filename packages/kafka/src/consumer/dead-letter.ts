import { OmenError } from '@omen/errors';
import { dlqHeaders } from '../headers.ts';
import { context, trace, type Span } from '../tracing.ts';
import type { Pending } from './records.ts';
import { classify } from './retries.ts';
import type { ConsumerScope } from './types.ts';

/**
 * Sends the record's original key, bytes and headers to the DLQ with the failure described
 * in headers. Throws (so nothing gets committed) when there is no DLQ or the produce fails.
 */
export async function deadLetter<V>(
  scope: ConsumerScope<V>,
  topic: string,
  partition: number,
  item: Pending<V>,
  error: OmenError,
  attempts: number,
  span: Span,
): Promise<void> {
  const { group, settings, deps, log } = scope;
  const { message } = item;
  const where = `${topic}/${partition}@${message.offset}`;
  const dlqTopicFor = settings.dlqTopicFor;
  if (!dlqTopicFor) {
    throw new OmenError(
      'FAILED_PRECONDITION',
      `record ${where} failed (${error.code}: ${error.message}) and group "${group}" has no DLQ; not committing it`,
      {
        cause: error,
      },
    );
  }
  const dlq = dlqTopicFor(topic);
  const failure = dlqHeaders({
    errorCode: error.code,
    errorMessage: error.message,
    originTopic: topic,
    originPartition: partition,
    originOffset: message.offset,
    originTimestamp: message.timestamp,
    group,
    failedAt: new Date(),
    attempts,
  });
  const original: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) original[name] = last;
  }
  try {
    const producer = await deps.dlqProducer();
    // The span context makes the DLQ record part of the failed record's trace.
    await context.with(trace.setSpan(item.trace, span), () =>
      producer.sendRaw(dlq, [{ key: message.key ?? null, value: message.value, headers: { ...original, ...failure } }]),
    );
  } catch (err) {
    const cause = classify(err).error;
    log.error(
      { group, topic, dlq, offset: message.offset, err: cause },
      'DLQ produce failed; leaving the record uncommitted',
    );
    throw new OmenError(
      'UNAVAILABLE',
      `record ${where} failed and could not be dead-lettered to "${dlq}": ${cause.message}; not committing it`,
      {
        cause: err,
      },
    );
  }
  deps.metrics.dlq.inc({ group, topic, code: error.code });
  log.warn(
    { group, topic, partition, offset: message.offset, dlq, code: error.code, attempts },
    'record dead-lettered',
  );
}
