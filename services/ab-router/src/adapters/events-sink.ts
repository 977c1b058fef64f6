// experiments.events.v1 and the ClickHouse events table without making serving wait: push()
// only appends to the kit's bounded LogBuffer, which writes what is queued in batches, one batch
// at a time, to Kafka and ClickHouse together. A batch either sink refused stays at the front and
// is rewritten to both with a doubling, jittered delay; when the queue is full the oldest event is
// dropped and counted (omen_abrouter_events_dropped_total), so an outage of either costs old events, never
// latency or memory. Event ids are deterministic, so a batch written twice is deduplicated
// downstream: by the event-id header on Kafka, by the ReplacingMergeTree key in ClickHouse.
import type { ClickHouse } from '@omen/clickhouse';
import { EVENT_COLUMNS, eventColumns, ident, sql } from '@omen/clickhouse';
import type { ExperimentEvent } from '@omen/contracts';
import type { AvroProducer } from '@omen/kafka';
import { LogBuffer } from '@omen/service';
import type { Logger } from '@omen/telemetry';

/**
 * Creates the events table when missing: one column per field of experiment_event.avsc, the
 * Avro nulls as Nullable. ClickHouse 18.16 has no DateTime64, so the time is a DateTime (UTC
 * seconds, for humans) plus event_time_ms. Sorted by (experiment_id, event_id): analysts filter
 * by experiment, and a rewritten event (a retried batch, an assignment two replicas both saw)
 * collapses into one row under FINAL. No partitioning, so that holds for ids whose rows fall in
 * different months too.
 */
export async function ensureEventsTable(ch: ClickHouse, table: string): Promise<void> {
  await ch.command(sql`
    CREATE TABLE IF NOT EXISTS ${ident(table)} (
      ${EVENT_COLUMNS},
      experiment_id String,
      type String,
      arm Nullable(String),
      unit_id Nullable(String),
      model_name Nullable(String),
      model_version Nullable(String),
      metric Nullable(String),
      value Nullable(Float64),
      reason Nullable(String),
      config_json Nullable(String),
      entity_id Nullable(String)
    ) ENGINE = ReplacingMergeTree
    ORDER BY (experiment_id, event_id)`);
  // A table created before entity_id existed gets the column (18.16 has no ADD COLUMN IF NOT EXISTS).
  const has = await ch.query<{ n: number }>(sql`SELECT count() AS n FROM system.columns WHERE database = currentDatabase() AND table = ${table} AND name = 'entity_id'`);
  if (Number(has[0]?.n ?? 0) === 0) await ch.command(sql`ALTER TABLE ${ident(table)} ADD COLUMN entity_id Nullable(String)`);
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

/** The sinks one batch write failed on; the whole batch is retried on both. */
class SinkWriteError extends Error {
  constructor(readonly failed: { sink: EventsSinkName; err: unknown }[]) {
    super(`experiment events not written to ${failed.map((f) => f.sink).join(' and ')}`);
  }
}

export class EventsSink {
  readonly #o: EventsSinkOptions;
  readonly #buffer: LogBuffer<ExperimentEvent>;

  constructor(options: EventsSinkOptions) {
    this.#o = options;
    this.#buffer = new LogBuffer<ExperimentEvent>({
      write: (batch) => this.#write(batch),
      maxBuffered: options.maxBuffered,
      flushSize: options.flushSize,
      flushIntervalMs: options.flushIntervalMs,
      retryMinMs: Math.min(200, options.retryMaxMs),
      retryMaxMs: options.retryMaxMs,
      onWritten: (n) => options.onSent(n),
      onDropped: (n) => options.onDropped(n),
      onWriteError: (err, { items, retryInMs }) => {
        for (const { sink, err: cause } of err instanceof SinkWriteError ? err.failed : [{ sink: 'kafka' as const, err }]) {
          options.onFailed?.(sink);
          options.logger.warn({ err: cause, sink, events: items, retryInMs }, 'experiment events not written; retrying');
        }
      },
    });
  }

  get buffered(): number {
    return this.#buffer.buffered;
  }

  push(event: ExperimentEvent): void {
    this.#buffer.push(event);
  }

  /** Writes what is queued now, past a pending backoff; never rejects. */
  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  /** Both sinks at once; rejects naming the ones that failed. */
  async #write(batch: ExperimentEvent[]): Promise<void> {
    const { producer, clickhouse } = this.#o;
    const writes: [EventsSinkName, Promise<unknown>][] = [];
    if (producer) {
      writes.push(['kafka', producer.send(this.#o.topic, batch.map((e) => ({ key: e.repo_id, value: e, eventId: e.event_id, eventTime: e.event_time })))]);
    }
    if (clickhouse) {
      writes.push([
        'clickhouse',
        clickhouse.client.insert(clickhouse.table, batch.map(eventRow)),
      ]);
    }
    const results = await Promise.allSettled(writes.map(([, p]) => p));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ sink: writes[i]![0], err: r.reason as unknown }] : []));
    if (failed.length > 0) throw new SinkWriteError(failed);
  }

  /** Last flush (bounded by the caller's shutdown grace), then stops; what is left is counted dropped. */
  async close(): Promise<void> {
    await this.#buffer.flush();
    await this.#buffer.close(0);
  }
}
