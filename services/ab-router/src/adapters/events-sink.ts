// experiments.events.v1 and the ClickHouse events table without making serving wait: push()
// only appends to a bounded queue; a timer writes what is queued in batches, one batch at a time,
// to Kafka and ClickHouse together. A batch either sink refused stays at the front and is
// rewritten to both with a doubling delay; when the queue is full the oldest event is dropped and
// counted (omen_abrouter_events_dropped_total), so an outage of either costs old events, never
// latency or memory. Event ids are deterministic, so a batch written twice is deduplicated
// downstream: by the event-id header on Kafka, by the ReplacingMergeTree key in ClickHouse.
import type { ClickHouse } from '@omen/clickhouse';
import { eventColumns } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { ExperimentEvent } from '@omen/contracts';
import type { AvroProducer } from '@omen/kafka';
import type { Logger } from '@omen/telemetry';

/**
 * Applies the schema migrations under this table name. The events table (@omen/clickhouse-schema)
 * has one column per field of experiment_event.avsc, the Avro nulls as Nullable, sorted by
 * (experiment_id, event_id): analysts filter by experiment, and a rewritten event (a retried
 * batch, an assignment two replicas both saw) collapses into one row under FINAL.
 */
export async function ensureEventsTable(ch: ClickHouse, table: string): Promise<void> {
  await migrate(ch, { names: { experiment_events: table } });
}

export function eventRow(e: ExperimentEvent): Record<string, unknown> {
  return {
    ...eventColumns(e),
    experiment_id: e.experiment_id,
    type: e.type,
    arm: e.arm,
    unit_id: e.unit_id,
    model_name: e.model_name,
    model_version: e.model_version,
    metric: e.metric,
    value: e.value,
    reason: e.reason,
    config_json: e.config_json,
    entity_id: e.entity_id ?? null,
  };
}

export type EventsSinkName = 'kafka' | 'clickhouse';

export interface EventsSinkOptions {
  /** At least one of producer and clickhouse. */
  producer?: AvroProducer | undefined;
  topic: string;
  clickhouse?: { client: ClickHouse; table: string } | undefined;
  maxBuffered: number;
  flushSize: number;
  flushIntervalMs: number;
  retryMaxMs: number;
  logger: Logger;
  onDropped: (n: number) => void;
  onSent: (n: number) => void;
  /** A batch one sink refused (it is retried whole). */
  onFailed?: (sink: EventsSinkName) => void;
}

export class EventsSink {
  private queue: ExperimentEvent[] = [];
  private sending: Promise<void> | undefined;
  private failures = 0;
  private nextTryAt = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: EventsSinkOptions) {
    this.timer = setInterval(() => void this.flush(), o.flushIntervalMs);
    this.timer.unref();
  }

  get buffered(): number {
    return this.queue.length;
  }

  push(event: ExperimentEvent): void {
    if (this.closed) {
      this.o.onDropped(1);
      return;
    }
    this.queue.push(event);
    if (this.queue.length > this.o.maxBuffered) {
      const over = this.queue.length - this.o.maxBuffered;
      this.queue.splice(0, over);
      this.o.onDropped(over);
    }
  }

  /** Sends queued events (one batch chain at a time); never rejects. */
  flush(force = false): Promise<void> {
    if (this.sending) return this.sending;
    if (this.queue.length === 0 || (!force && Date.now() < this.nextTryAt)) return Promise.resolve();
    this.sending = this.drain().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.o.flushSize);
      const failed = await this.write(batch);
      if (failed.length > 0) {
        this.failures++;
        const delay = Math.min(this.o.retryMaxMs, 100 * 2 ** Math.min(this.failures, 16));
        this.nextTryAt = Date.now() + delay;
        for (const { sink, err } of failed) {
          this.o.onFailed?.(sink);
          this.o.logger.warn({ err, sink, events: batch.length, retryInMs: delay }, 'experiment events not written; retrying');
        }
        return;
      }
      this.failures = 0;
      // Events pushed while sending went to the back; overflow may have dropped some of this batch's.
      const sent = batch.filter((e) => this.queue[0] === e && this.queue.shift());
      this.o.onSent(sent.length);
    }
  }

  /** Both sinks at once; the ones that failed. */
  private async write(batch: ExperimentEvent[]): Promise<{ sink: EventsSinkName; err: unknown }[]> {
    const { producer, clickhouse } = this.o;
    const writes: [EventsSinkName, Promise<unknown>][] = [];
    if (producer) {
      writes.push(['kafka', producer.send(this.o.topic, batch.map((e) => ({ key: e.repo_id, value: e, eventId: e.event_id, eventTime: e.event_time })))]);
    }
    if (clickhouse) {
      writes.push([
        'clickhouse',
        clickhouse.client.insert(clickhouse.table, batch.map(eventRow)),
      ]);
    }
    const results = await Promise.allSettled(writes.map(([, p]) => p));
    return results.flatMap((r, i) => (r.status === 'rejected' ? [{ sink: writes[i]![0], err: r.reason as unknown }] : []));
  }

  /** Last flush (bounded by the caller's shutdown grace), then stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
    this.closed = true;
    if (this.queue.length > 0) this.o.onDropped(this.queue.length);
    this.queue = [];
  }
}
