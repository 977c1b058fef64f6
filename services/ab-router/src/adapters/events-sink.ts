// experiments.events.v1 and the ClickHouse events table without making serving wait: push()
// only appends to the kit's bounded LogBuffer, which writes what is queued in batches, one batch
// at a time, to Kafka and ClickHouse together. A batch either sink refused stays at the front and
// is rewritten to both with a doubling, jittered delay; when the queue is full the oldest event is
// dropped and counted (omen_abrouter_events_dropped_total), so an outage of either costs old events, never
// latency or memory. Event ids are deterministic, so a batch written twice is deduplicated
// downstream: by the event-id header on Kafka, by the ReplacingMergeTree key in ClickHouse.
import type { ClickHouse } from '@omen/clickhouse';
import { eventColumns } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { ExperimentEvent } from '@omen/contracts';
import type { AvroProducer } from '@omen/kafka';
import { LogBuffer } from '@omen/service';
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
        for (const { sink, err: cause } of err instanceof SinkWriteError
          ? err.failed
          : [{ sink: 'kafka' as const, err }]) {
          options.onFailed?.(sink);
          options.logger.warn(
            { err: cause, sink, events: items, retryInMs },
            'experiment events not written; retrying',
          );
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
      writes.push([
        'kafka',
        producer.send(
          this.#o.topic,
          batch.map((e) => ({ key: e.repo_id, value: e, eventId: e.event_id, eventTime: e.event_time })),
        ),
      ]);
    }
    if (clickhouse) {
      writes.push(['clickhouse', clickhouse.client.insert(clickhouse.table, batch.map(eventRow))]);
    }
    const results = await Promise.allSettled(writes.map(([, p]) => p));
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ sink: writes[i]![0], err: r.reason as unknown }] : [],
    );
    if (failed.length > 0) throw new SinkWriteError(failed);
  }

  /** Last flush (bounded by the caller's shutdown grace), then stops; what is left is counted dropped. */
  async close(): Promise<void> {
    await this.#buffer.flush();
    await this.#buffer.close(0);
  }
}
