import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema, type Commit } from '@omen/contracts';
import { recordTrace, withRecordTraces, type ConsumedRecord } from '@omen/kafka';
import { InMemorySpanExporter, currentTraceId, initTracing, withSpan, type Tracing } from '@omen/telemetry';
import {
  createTestConsumer,
  createTestKafka,
  createTestProducer,
  randomName,
  startOtlpReceiver,
  waitFor,
} from '@omen/testing';
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

// Issue 14: a commit's trace must not break at a batch consumer. Each record gets a processing
// span that is a child of its producer's span (the batch span keeps the links), and what the
// handler sends on in `record.trace` continues that trace into the next hop. Spans go through
// the real OTLP/HTTP exporter to a receiver, as a collector would get them.
describe('one trace per record through batch consumers (OTLP)', () => {
  it('webhook → send → batch process → send → batch process stays one trace per record', async () => {
    const receiver = await startOtlpReceiver(onTestFinished);
    const exported = initTracing({ service: 'kafka-batch-trace-test', otlpEndpoint: receiver.endpoint });
    onTestFinished(() => exported.shutdown());
    const first = randomName('traced-a');
    const second = randomName('traced-b');
    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, {
      kafka,
      schemas: { [first]: avroSchema('commit'), [second]: avroSchema('commit') },
    });
    const repo = `github:omen/${randomName('repo')}`;
    const values = [1, 2, 3].map((i) => commit(repo, i));

    // Three webhooks, three traces; the records arrive at the consumers in one batch.
    const traceIds = await Promise.all(
      values.map((v, i) =>
        withSpan(
          `webhook ${i}`,
          async (span) => (await producer.send(first, [{ key: repo, value: v }]), span.spanContext().traceId),
        ),
      ),
    );

    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      topics: [first],
      batchHandler: async (records) => {
        await withRecordTraces(
          records,
          (r) => r.value.sha,
          () =>
            producer.send(
              second,
              records.map((r) => ({ key: repo, value: r.value, trace: recordTrace(r.value.sha) })),
            ),
        );
      },
    });
    const done: ConsumedRecord<Commit>[] = [];
    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      topics: [second],
      batchHandler: (records) => void done.push(...records),
    });
    await waitFor(() => done.length >= 3, { message: 'the three records through both hops' });
    await exported.forceFlush();

    const spans = receiver.spans();
    expect(new Set(traceIds).size).toBe(3);
    for (const [i, v] of values.entries()) {
      const rec = done.find((r) => r.value.sha === v.sha)!;
      const traceId = traceIds[i];
      expect(currentTraceId(rec.trace)).toBe(traceId);
      const inTrace = spans.filter((s) => s.traceId === traceId);
      const byId = new Map(inTrace.map((s) => [s.spanId, s]));
      const sendFirst = inTrace.find((s) => s.name === `send ${first}`);
      const processFirst = inTrace.find((s) => s.name === `process ${first}` && s.parentSpanId === sendFirst?.spanId);
      const processSecond = inTrace.find(
        (s) => s.name === `process ${second}` && s.parentSpanId === processFirst?.spanId,
      );
      expect(sendFirst, `send ${first} in ${v.sha}'s trace`).toBeDefined();
      expect(processFirst, `process ${first} as a child of its send`).toBeDefined();
      expect(processSecond, `process ${second} as a child of the first hop's record span`).toBeDefined();
      // Each record span links the batch span it was handled in.
      expect(processFirst?.links?.length).toBe(1);
      // And the chain goes up to the webhook span without a break.
      let span = processSecond;
      const chain: string[] = [];
      while (span) {
        chain.push(span.name);
        span = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      }
      expect(chain.at(-1)).toBe(`webhook ${i}`);
    }
  });
});
