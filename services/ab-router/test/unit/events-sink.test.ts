// The buffer between Predict and Kafka: bounded (oldest dropped and counted), retried in order
// after a failure, never waiting on the caller's path.
import { describe, expect, it } from 'vitest';
import type { ClickHouse } from '@omen/clickhouse';
import type { ExperimentEvent } from '@omen/contracts';
import type { AvroProducer, ProduceRecord } from '@omen/kafka';
import { createLogger } from '@omen/telemetry';
import { EventsSink, eventRow } from '../../src/adapters/events-sink.ts';

const event = (i: number): ExperimentEvent => ({
  event_id: `exp-1:assignment:u${i}`,
  event_time: 1_700_000_000_000 + i,
  repo_id: `github:acme/r${i}`,
  experiment_id: 'exp-1',
  type: 'assignment',
  arm: 'control',
  unit_id: `u${i}`,
  model_name: 'jit-defect',
  model_version: 'champion',
  metric: null,
  value: null,
  reason: null,
  config_json: null,
  entity_id: null,
});

function producer(fail: () => boolean) {
  const sent: ProduceRecord<ExperimentEvent>[][] = [];
  const p = {
    send: (_topic: string, records: readonly ProduceRecord<ExperimentEvent>[]) => {
      if (fail()) return Promise.reject(new Error('broker down'));
      sent.push([...records]);
      return Promise.resolve([]);
    },
  } as unknown as AvroProducer;
  return { p, sent };
}

const sinkWith = (p: AvroProducer, counters: { dropped: number; sent: number }, maxBuffered = 5) =>
  new EventsSink({
    producer: p,
    topic: 'experiments.events.v1',
    maxBuffered,
    flushSize: 2,
    flushIntervalMs: 60_000,
    retryMaxMs: 1,
    logger: createLogger({ service: 'test', level: 'silent' }),
    onDropped: (n) => (counters.dropped += n),
    onSent: (n) => (counters.sent += n),
  });

describe('EventsSink', () => {
  it('sends in batches of flushSize, keyed by repo_id, with the event id as idempotency id', async () => {
    const { p, sent } = producer(() => false);
    const c = { dropped: 0, sent: 0 };
    const sink = sinkWith(p, c);
    for (let i = 0; i < 5; i++) sink.push(event(i));
    await sink.flush();
    expect(sent.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(sent[0]![0]).toMatchObject({
      key: 'github:acme/r0',
      eventId: 'exp-1:assignment:u0',
      eventTime: 1_700_000_000_000,
    });
    expect(c).toEqual({ dropped: 0, sent: 5 });
    await sink.close();
  });

  it('drops the oldest beyond maxBuffered and counts them', async () => {
    const { p, sent } = producer(() => false);
    const c = { dropped: 0, sent: 0 };
    const sink = sinkWith(p, c, 3);
    for (let i = 0; i < 7; i++) sink.push(event(i));
    expect(sink.buffered).toBe(3);
    await sink.flush();
    // Overflow is counted off the hot path, at the next write.
    expect(c.dropped).toBe(4);
    expect(sent.flat().map((r) => r.eventId)).toEqual([
      'exp-1:assignment:u4',
      'exp-1:assignment:u5',
      'exp-1:assignment:u6',
    ]);
    await sink.close();
  });

  it('keeps a failed batch at the front and sends it, in order, once the broker is back', async () => {
    let down = true;
    const { p, sent } = producer(() => down);
    const c = { dropped: 0, sent: 0 };
    const sink = sinkWith(p, c);
    for (let i = 0; i < 3; i++) sink.push(event(i));
    await sink.flush();
    expect(sent).toHaveLength(0);
    expect(sink.buffered).toBe(3);
    down = false;
    sink.push(event(3));
    await sink.flush();
    expect(sent.flat().map((r) => r.eventId)).toEqual([0, 1, 2, 3].map((i) => `exp-1:assignment:u${i}`));
    expect(c).toEqual({ dropped: 0, sent: 4 });
    await sink.close();
  });

  it('counts what is still queued at close as dropped', async () => {
    const { p } = producer(() => true);
    const c = { dropped: 0, sent: 0 };
    const sink = sinkWith(p, c);
    sink.push(event(1));
    sink.push(event(2));
    await sink.close();
    expect(c.dropped).toBe(2);
    sink.push(event(3));
    expect(c.dropped).toBe(3);
  });

  it('writes each batch to ClickHouse too; a refused insert keeps the batch queued, is counted, and rewrites both sinks', async () => {
    const { p, sent } = producer(() => false);
    let down = true;
    const inserted: Record<string, unknown>[][] = [];
    const ch = {
      insert: (_table: string, rows: readonly Record<string, unknown>[]) => {
        if (down) return Promise.reject(new Error('clickhouse down'));
        inserted.push([...rows]);
        return Promise.resolve();
      },
    } as unknown as ClickHouse;
    const c = { dropped: 0, sent: 0 };
    const failures: string[] = [];
    const sink = new EventsSink({
      producer: p,
      topic: 'experiments.events.v1',
      clickhouse: { client: ch, table: 'experiment_events' },
      maxBuffered: 5,
      flushSize: 2,
      flushIntervalMs: 60_000,
      retryMaxMs: 1,
      logger: createLogger({ service: 'test', level: 'silent' }),
      onDropped: (n) => (c.dropped += n),
      onSent: (n) => (c.sent += n),
      onFailed: (s) => failures.push(s),
    });
    for (let i = 0; i < 3; i++) sink.push(event(i));
    await sink.flush();
    expect(failures).toEqual(['clickhouse']);
    expect(sink.buffered).toBe(3);
    expect(c.sent).toBe(0);
    down = false;
    await sink.flush();
    expect(inserted.flat().map((r) => r['event_id'])).toEqual([0, 1, 2].map((i) => `exp-1:assignment:u${i}`));
    // Kafka took the first batch twice: the retry rewrites it, deduplicated downstream by event id.
    expect(sent.flat().map((r) => r.eventId)).toEqual([0, 1, 0, 1, 2].map((i) => `exp-1:assignment:u${i}`));
    expect(c).toEqual({ dropped: 0, sent: 3 });
    await sink.close();
  });

  it('turns an event into a row with both the DateTime and the epoch-ms time, nulls kept', () => {
    const row = eventRow({ ...event(7), event_time: Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
    expect(row).toMatchObject({
      event_id: 'exp-1:assignment:u7',
      event_time: '2026-01-02 03:04:05',
      event_time_ms: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      type: 'assignment',
      metric: null,
      value: null,
    });
  });
});
