import {
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { extractTraceContext, getTracer, injectTraceContext } from '@omen/telemetry';
import type { Headers } from './headers.ts';

/**
 * The global tracer, looked up per span: a provider registered (or replaced) after this module
 * loaded must still be the one used. No-op until the service initialised tracing; propagation
 * works regardless.
 */
export const tracer = {
  startSpan(name: string, options: SpanOptions, parent?: Context): Span {
    return getTracer().startSpan(name, options, parent);
  },
};

/** Writes the trace context into record headers (W3C traceparent/tracestate). */
export function injectTrace(headers: Headers, ctx: Context = context.active()): Headers {
  return injectTraceContext(headers, ctx);
}

/** The context a producer wrote into a record's headers, so the handler's span continues it. */
export function extractTrace(headers: Readonly<Headers>): Context {
  return extractTraceContext({ ...headers });
}

/** A span link to each record's producer span, for a batch span that has no single parent. */
export function linksFrom(contexts: readonly Context[]): Link[] {
  const links: Link[] = [];
  for (const ctx of contexts) {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext && trace.isSpanContextValid(spanContext)) links.push({ context: spanContext });
  }
  return links;
}

/**
 * The attributes of a `process <topic>` CONSUMER span (OTel messaging conventions), shared by the
 * per-record, batch and per-record-in-batch spans; `extra` adds the offset or the batch size.
 */
export function processAttributes(topic: string, group: string, partition: number, extra: Attributes): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.consumer.group.name': group,
    'messaging.destination.partition.id': String(partition),
    ...extra,
  };
}

const RECORD_TRACES = createContextKey('omen.kafka.record-traces');

/**
 * Runs `fn` with each consumed record's processing context findable by a key of the caller's
 * (`keyOf`, e.g. repository and commit sha), so a sink deep inside a batch handler can send what
 * it computed from a record in that record's trace (`recordTrace(key)` as `ProduceRecord.trace`).
 * A batch has no single parent; without this every record computed in it would start from the
 * batch span and the trace of a commit would break at each batch consumer.
 */
export function withRecordTraces<R extends { trace?: Context | undefined }, T>(
  records: readonly R[],
  keyOf: (record: R) => string,
  fn: () => T,
): T {
  const traces = new Map<string, Context>();
  for (const r of records) if (r.trace) traces.set(keyOf(r), r.trace);
  return context.with(context.active().setValue(RECORD_TRACES, traces), fn);
}

/** The processing context `withRecordTraces` registered under `key`, if any. */
export function recordTrace(key: string, ctx: Context = context.active()): Context | undefined {
  return (ctx.getValue(RECORD_TRACES) as Map<string, Context> | undefined)?.get(key);
}

export { SpanKind, SpanStatusCode, context, trace, type Context, type Span };
