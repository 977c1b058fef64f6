import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema, type Commit } from '@omen/contracts';
import { InMemorySpanExporter, currentTraceId, initTracing, withSpan, type Tracing } from '@omen/telemetry';
import { createTestConsumer, createTestKafka, createTestProducer, randomName, waitFor } from '@omen/testing';
import { commit } from '../fixtures/commits.ts';

describe('trace context across a Kafka hop', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;

  beforeAll(() => {
    tracing = initTracing({ service: 'kafka-trace-test', exporters: [exporter] });
  });

  afterAll(async () => {
    await tracing.shutdown();
  });

  it("continues the producer's trace in the handler's active span", async () => {
    const topic = randomName('traced');
    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });
    const value = commit(`github:omen/${randomName('repo')}`, 7);

    const producerTraceId = await withSpan('webhook', async (span) => {
      await producer.send(topic, [{ key: value.repo_id, value }]);
      return span.spanContext().traceId;
    });

    const seen: Array<string | undefined> = [];
    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      topics: [topic],
      handler: () => {
        seen.push(currentTraceId());
      },
    });
    await waitFor(() => seen.length >= 1, { message: 'the traced record' });

    expect(seen[0]).toBe(producerTraceId);
    // And the spans are linked parent to child: webhook → send → process.
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const send = spans.find((s) => s.name === `send ${topic}`);
    const process = spans.find((s) => s.name === `process ${topic}`);
    expect(send?.spanContext().traceId).toBe(producerTraceId);
    expect(process?.spanContext().traceId).toBe(producerTraceId);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
  });
});
