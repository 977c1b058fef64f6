import { SpanKind, SpanStatusCode, context, trace, type Context, type Link, type Span, type SpanOptions } from '@opentelemetry/api';
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

export { SpanKind, SpanStatusCode, context, trace, type Context, type Span };
