import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTracing, withSpan } from '@omen/telemetry';

// A bare HTTP receiver standing in for the collector: what is under test is that
// initTracing wires the OTLP/HTTP exporter to <endpoint>/v1/traces only when asked.
describe('OTLP export', () => {
  const received: Array<{ path: string; contentType: string; bytes: number; body: Buffer }> = [];
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({
          path: req.url ?? '',
          contentType: req.headers['content-type'] ?? '',
          bytes: body.length,
          body,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends finished spans to <endpoint>/v1/traces', async () => {
    const tracing = initTracing({ service: 'otlp-test', otlpEndpoint: endpoint });
    try {
      const traceId = await withSpan('exported-span', (span) => span.spanContext().traceId);
      await tracing.forceFlush();
      expect(received.length).toBeGreaterThan(0);
      expect(received[0]?.path).toBe('/v1/traces');
      expect(received[0]?.contentType).toBe('application/json');
      const spans = received.flatMap((r) => {
        const body = JSON.parse(r.body.toString('utf8')) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
            scopeSpans: Array<{ spans: Array<{ name: string; traceId: string }> }>;
          }>;
        };
        return body.resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((s) => ({
              ...s,
              service: rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
            })),
          ),
        );
      });
      expect(spans).toContainEqual(expect.objectContaining({ name: 'exported-span', traceId, service: 'otlp-test' }));
    } finally {
      await tracing.shutdown();
    }
  });

  it('exports nothing when no endpoint is configured', async () => {
    received.length = 0;
    const tracing = initTracing({ service: 'otlp-off' });
    try {
      await withSpan('not-exported', () => undefined);
      await tracing.forceFlush();
      expect(received).toEqual([]);
    } finally {
      await tracing.shutdown();
    }
  });
});
