import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
export type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
export type { Context, Span, Tracer } from '@opentelemetry/api';

/** Instrumentation scope of every omen span. */
export const TRACER_NAME = 'omen';

export interface TracingOptions {
  service: string;
  /**
   * OTLP/HTTP collector base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://otel:4318`);
   * spans go to `<endpoint>/v1/traces`. Without it nothing is exported, but spans are still
   * created so trace ids propagate through gRPC and Kafka.
   * @default undefined (no exporter)
   */
  otlpEndpoint?: string;
  /**
   * Extra exporters, each behind a SimpleSpanProcessor (export on end), e.g. an
   * InMemorySpanExporter in tests. @default []
   */
  exporters?: SpanExporter[];
  /** `service.version` resource attribute. @default undefined */
  version?: string;
}

export interface Tracing {
  tracer: Tracer;
  /** Exports buffered spans now. */
  forceFlush(): Promise<void>;
  /** Flushes, then unregisters the global provider so tracing can be initialised again. */
  shutdown(): Promise<void>;
}

// One propagator instance used by inject/extract whether or not initTracing ran, so a library
// (Kafka headers, gRPC metadata) passes trace context through even when tracing is off.
const propagator = new W3CTraceContextPropagator();

/**
 * Registers a global NodeTracerProvider (AsyncLocalStorage context, W3C trace-context
 * propagation). Call once per process, before creating servers or clients.
 */
export function initTracing(options: TracingOptions): Tracing {
  const { service, otlpEndpoint, exporters = [], version } = options;
  const spanProcessors: SpanProcessor[] = exporters.map((e) => new SimpleSpanProcessor(e));
  if (otlpEndpoint) {
    const url = `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: service,
      ...(version ? { 'service.version': version } : {}),
    }),
    spanProcessors,
  });
  provider.register({ propagator });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

/** The global tracer (a no-op one until `initTracing`). */
export function getTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Headers as Kafka and gRPC carry them: strings, Buffers, or lists of either. */
export type Carrier = Record<string, string | Buffer | Array<string | Buffer> | undefined>;

const carrierGetter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    // Header names are case-insensitive on the wire; kafka and grpc lower-case them.
    const v = carrier[key] ?? carrier[key.toLowerCase()];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((x) => x.toString());
    return v.toString();
  },
};

/** Writes `traceparent` (and `tracestate`) for `ctx` into `carrier`; returns the carrier. */
export function injectTraceContext<T extends Record<string, string>>(carrier: T, ctx: Context = context.active()): T {
  propagator.inject(ctx, carrier, {
    set: (c, key, value) => {
      (c as Record<string, string>)[key] = value;
    },
  });
  return carrier;
}

/**
 * The context a remote caller sent (W3C traceparent/tracestate), for use as a span parent.
 * Starts from the root context, not the active one: an incoming message must not inherit
 * whatever unrelated span happens to be active in the receiver.
 */
export function extractTraceContext(carrier: Carrier, base: Context = ROOT_CONTEXT): Context {
  return propagator.extract(base, carrier, carrierGetter);
}

export interface WithSpanOptions {
  /** Parent context (e.g. from `extractTraceContext`). @default context.active() */
  parent?: Context;
  attributes?: Attributes;
  /** @default SpanKind.INTERNAL */
  kind?: SpanKind;
}

/**
 * Runs `fn` inside a new active span; the span records a thrown error and ends when `fn`
 * settles.
 */
export async function withSpan<T>(
  name: string,
  fn: (span: Span) => T | Promise<T>,
  options: WithSpanOptions = {},
): Promise<T> {
  const { parent = context.active(), attributes, kind = SpanKind.INTERNAL } = options;
  return getTracer().startActiveSpan(name, { kind, ...(attributes ? { attributes } : {}) }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's message (and stack, as an exception event). */
export function recordError(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** The active trace id, or undefined outside a (valid) span. */
export function currentTraceId(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}
