import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  currentTraceId,
  extractTraceContext,
  initTracing,
  injectTraceContext,
  withSpan,
  type Tracing,
} from '@omen/telemetry';

describe('trace context without initTracing', () => {
  it('extract → inject round-trips a traceparent even with tracing off', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const ctx = extractTraceContext({ traceparent: Buffer.from(traceparent), tracestate: 'vendor=1' });
    expect(currentTraceId(ctx)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const out = injectTraceContext({}, ctx);
    expect(out).toEqual({ traceparent, tracestate: 'vendor=1' });
  });

  it('ignores malformed traceparents', () => {
    expect(currentTraceId(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
    expect(injectTraceContext({}, extractTraceContext({}))).toEqual({});
  });
});

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = initTracing({ service: 'tracing-test', exporters: [exporter] });
  });
  afterEach(() => exporter.reset());
  afterAll(() => tracing.shutdown());

  it('inject → extract preserves the trace id and makes the remote span the parent', async () => {
    const carrier: Record<string, string> = {};
    const producer = await withSpan('produce', (span) => {
      injectTraceContext(carrier);
      return span.spanContext();
    });
    expect(carrier['traceparent']).toBe(`00-${producer.traceId}-${producer.spanId}-01`);

    const consumerTraceId = await withSpan('consume', () => currentTraceId(), { parent: extractTraceContext(carrier) });
    expect(consumerTraceId).toBe(producer.traceId);
    const consume = exporter.getFinishedSpans().find((s) => s.name === 'consume');
    expect(consume?.parentSpanContext?.spanId).toBe(producer.spanId);
  });

  it('nests spans through async work and records failures', async () => {
    await expect(
      withSpan('outer', async () => {
        await new Promise((r) => setImmediate(r));
        await withSpan(
          'inner',
          () => {
            throw new Error('boom');
          },
          { attributes: { 'omen.repo': 'r1' } },
        );
      }),
    ).rejects.toThrow('boom');
    const spans = exporter.getFinishedSpans();
    const inner = spans.find((s) => s.name === 'inner');
    const outer = spans.find((s) => s.name === 'outer');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(inner?.attributes['omen.repo']).toBe('r1');
    expect(inner?.events.map((e) => e.name)).toContain('exception');
  });

  it('has no current trace outside a span', () => {
    expect(currentTraceId()).toBeUndefined();
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
