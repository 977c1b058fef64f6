// experiments.events.v1 without making serving wait: push() only appends to a bounded queue; a
// timer sends what is queued in batches, one send at a time. A failed send stays at the front
// and is retried with a doubling delay; when the queue is full the oldest event is dropped and
// counted (abrouter_events_dropped_total), so a Kafka outage costs old events, never latency
// or memory. Event ids are deterministic, so a batch sent twice is deduplicated downstream.
import type { ExperimentEvent } from '@omen/contracts';
import type { AvroProducer } from '@omen/kafka';
import type { Logger } from '@omen/telemetry';

export interface EventsSinkOptions {
  producer: AvroProducer;
  topic: string;
  maxBuffered: number;
  flushSize: number;
  flushIntervalMs: number;
  retryMaxMs: number;
  logger: Logger;
  onDropped: (n: number) => void;
  onSent: (n: number) => void;
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
      try {
        await this.o.producer.send(
          this.o.topic,
          batch.map((e) => ({ key: e.repo_id, value: e, eventId: e.event_id, eventTime: e.event_time })),
        );
      } catch (err) {
        this.failures++;
        const delay = Math.min(this.o.retryMaxMs, 100 * 2 ** Math.min(this.failures, 16));
        this.nextTryAt = Date.now() + delay;
        this.o.logger.warn({ err, events: batch.length, retryInMs: delay }, 'experiment events not sent; retrying');
        return;
      }
      this.failures = 0;
      // Events pushed while sending went to the back; overflow may have dropped some of this batch's.
      const sent = batch.filter((e) => this.queue[0] === e && this.queue.shift());
      this.o.onSent(sent.length);
    }
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
