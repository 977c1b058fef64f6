import type { AvroProducer, ProduceRecord } from '@omen/kafka';
import { UnavailableError } from '@omen/errors';
import { defaultMaxEventBytes, knownSizeBound } from '../domain/event-size.ts';
import type { IngestEvent } from '../domain/events.ts';
import { turnGate } from './turn.ts';

/** Topic per event kind. */
export interface IngestTopics {
  commit: string;
  pull_request: string;
  issue: string;
}

export const defaultTopics: IngestTopics = {
  commit: 'scm.commits.v1',
  pull_request: 'scm.pullrequests.v1',
  issue: 'scm.issues.v1',
};

/** Where one event was stored. `partition` is -1 and `offset` empty when the batch did not say. */
export interface PublishedRecord {
  topic: string;
  partition: number;
  offset: string;
}

export interface EventPublisher {
  /** Resolves once Kafka acknowledged every event (acks=all), in order per repository. */
  publish(events: readonly IngestEvent[], headers?: Readonly<Record<string, string>>): Promise<PublishedRecord[]>;
  close(): Promise<void>;
}

interface Pending {
  record: ProduceRecord;
  /** Upper bound of the record's encoded value (event-size.ts). */
  bytes: number;
  resolve: (r: PublishedRecord) => void;
  reject: (err: unknown) => void;
}

export interface BatchingPublisherOptions {
  /** Records per Kafka send at most. @default 500 */
  maxBatch?: number;
  /**
   * Bytes per Kafka send at most (values, bounded from above), and at least one record: a
   * broker refuses a record batch over its `message.max.bytes` whole, and one send is one
   * record batch per partition. @default 900 KiB
   */
  maxBatchBytes?: number;
}

/**
 * Publishes through one idempotent producer, batching across concurrent callers: while a send
 * to a topic is in flight (the producer allows one, to keep retries in order), new records for
 * that topic queue up and go out together in the next send. Under load that turns thousands of
 * one-record webhooks a second into a few large produce requests; idle, a record goes out in
 * the turn of the event loop that brought it (turn.ts). Per-topic queues keep each repository's records in arrival order.
 */
export class BatchingPublisher implements EventPublisher {
  readonly #queues = new Map<string, Pending[]>();
  readonly #inFlight = new Set<string>();
  readonly #maxBatch: number;
  readonly #maxBatchBytes: number;
  #closed = false;
  readonly #turn = turnGate();
  /** Topics with records queued since the turn's gate was last passed. */
  readonly #touched = new Set<string>();
  #flushScheduled = false;
  readonly #producer: AvroProducer;
  readonly #topics: IngestTopics;

  constructor(producer: AvroProducer, topics: IngestTopics = defaultTopics, options: BatchingPublisherOptions = {}) {
    this.#producer = producer;
    this.#topics = topics;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxBatchBytes = options.maxBatchBytes ?? defaultMaxEventBytes;
  }

  publish(events: readonly IngestEvent[], headers: Readonly<Record<string, string>> = {}): Promise<PublishedRecord[]> {
    if (this.#closed) return Promise.reject(new UnavailableError('ingest is shutting down'));
    const results = events.map(
      (e) =>
        new Promise<PublishedRecord>((resolve, reject) => {
          const topic = this.#topics[e.kind];
          const queue = this.#queues.get(topic) ?? [];
          this.#queues.set(topic, queue);
          queue.push({
            record: {
              key: e.value.repo_id,
              value: e.value,
              eventId: e.value.event_id,
              eventTime: e.value.event_time,
              // Shared by the records of the call: the producer copies what it sends.
              headers,
            },
            bytes: knownSizeBound(e.value),
            resolve,
            reject,
          });
          this.#touched.add(topic);
        }),
    );
    // Sent at the turn's gate (turn.ts): the records of every request of this turn in one send.
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      void this.#turn().then(() => {
        this.#flushScheduled = false;
        for (const topic of this.#touched) this.#flush(topic);
        this.#touched.clear();
      });
    }
    return Promise.all(results);
  }

  #flush(topic: string): void {
    if (this.#inFlight.has(topic)) return;
    const queue = this.#queues.get(topic);
    if (!queue || queue.length === 0) return;
    let take = 0;
    for (let bytes = 0; take < queue.length && take < this.#maxBatch; take++) {
      bytes += queue[take]!.bytes;
      if (take > 0 && bytes > this.#maxBatchBytes) break;
    }
    const batch = queue.splice(0, take);
    this.#inFlight.add(topic);
    this.#producer
      .send(
        topic,
        batch.map((p) => p.record),
      )
      .then(
        (sent) => {
          const single = sent.length === 1 ? sent[0] : undefined;
          const base = single ? BigInt(single.baseOffset) : undefined;
          batch.forEach((p, i) =>
            p.resolve({
              topic,
              partition: single ? single.partition : -1,
              offset: base !== undefined && base >= 0n ? String(base + BigInt(i)) : '',
            }),
          );
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        this.#inFlight.delete(topic);
        this.#flush(topic);
      });
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Let queued sends finish: their callers are waiting for the acknowledgement.
    while (this.#inFlight.size > 0 || [...this.#queues.values()].some((q) => q.length > 0)) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
