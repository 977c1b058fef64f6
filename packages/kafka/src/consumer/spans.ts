import type { Link } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, linksFrom, processAttributes, tracer, type Context, type Span } from '../tracing.ts';
import type { ConsumerScope } from './types.ts';

/** A record's CONSUMER span: a child of its producer's span (`parent`), so its trace goes on through this hop. */
export function startRecordSpan(
  group: string,
  topic: string,
  partition: number,
  offset: string,
  parent: Context,
  links?: Link[],
): Span {
  return tracer.startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      ...(links ? { links } : {}),
      attributes: processAttributes(topic, group, partition, { 'messaging.kafka.offset': Number(offset) }),
    },
    parent,
  );
}

/** A batch's CONSUMER span, linked to every record's producer span (OTel's messaging conventions for a batch). */
export function startBatchSpan(group: string, topic: string, partition: number, traces: readonly Context[]): Span {
  return tracer.startSpan(`process ${topic}`, {
    kind: SpanKind.CONSUMER,
    links: linksFrom(traces),
    attributes: processAttributes(topic, group, partition, { 'messaging.batch.message_count': traces.length }),
  });
}

export function markFailed(span: Span, error: Error): void {
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** `omen_kafka_consumer_handling_seconds` of a record or chunk whose handling began at `started` (performance.now()). */
export function observeHandling<V>(scope: ConsumerScope<V>, topic: string, started: number): void {
  scope.deps.metrics.handlingSeconds.observe({ group: scope.group, topic }, (performance.now() - started) / 1000);
}
