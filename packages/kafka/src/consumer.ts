import type { Consumer as KafkaJsConsumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { OmenError, isOmenError, isRetryable } from '@omen/errors';
import type { AvroCodec } from './codec.ts';
import { fromKafkaError } from './errors.ts';
import { EVENT_ID_HEADER, decodeHeaders, dlqHeaders, type Headers } from './headers.ts';
import type { PartitionLag } from './lag.ts';
import type { Logger } from './logger.ts';
import type { KafkaMetrics } from './metrics.ts';
import { OffsetTracker } from './offsets.ts';
import type { AvroProducer } from './producer.ts';
import { backoffDelay, shouldRetry, sleep, type RetryPolicy } from './retry.ts';
import { SpanKind, SpanStatusCode, context, extractTrace, linksFrom, trace, tracer, type Context, type Span } from './tracing.ts';

/** A record as a handler sees it. */
export interface ConsumedRecord<V = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The decoded Avro value; the raw bytes when the consumer runs without schema decoding. */
  value: V;
  headers: Headers;
  /** Kafka record timestamp: the producer's event time, epoch milliseconds. */
  timestamp: number;
  /** The `event-id` header: the idempotency id sinks deduplicate on. */
  eventId: string | undefined;
  /** Registry id the value was written with; undefined without schema decoding. */
  schemaId: number | undefined;
  /** The value exactly as it was on the wire. */
  rawValue: Buffer | null;
}

export interface HandlerContext {
  group: string;
  /** 1 on the first try, 2 on the first retry, … */
  attempt: number;
  /**
   * Aborted when the consumer stops. A handler may use it to cut a long wait short; if it then
   * throws, its record stays uncommitted and is delivered again after the restart.
   */
  signal: AbortSignal;
  logger: Logger;
}

export type RecordHandler<V> = (record: ConsumedRecord<V>, ctx: HandlerContext) => Promise<void> | void;
export type BatchHandler<V> = (records: ConsumedRecord<V>[], ctx: HandlerContext) => Promise<void> | void;

/** Handle of a running consumer. */
export interface ConsumerRunner {
  readonly group: string;
  readonly topics: readonly string[];
  /** Resolves when the consumer has joined its group and received an assignment. */
  readonly ready: Promise<void>;
  /**
   * Resolves (never rejects) if the consumer stopped for good on an error the client does not
   * restart from; retryable crashes are restarted by the client and do not resolve it. A
   * service exits on it so its supervisor restarts the process.
   */
  readonly crashed: Promise<OmenError>;
  /**
   * Stops fetching, lets the record in flight finish, commits what is done, leaves the
   * group and disconnects. Idempotent.
   */
  stop(): Promise<void>;
  /** Reads the group's lag from the brokers and updates `kafka_consumer_lag`. */
  refreshLag(): Promise<PartitionLag[]>;
}

export interface ConsumerSettings<V> {
  group: string;
  topics: readonly string[];
  handler: RecordHandler<V> | undefined;
  batchHandler: BatchHandler<V> | undefined;
  schemaDecoding: boolean;
  retry: RetryPolicy;
  /** DLQ topic for a record's origin topic; undefined when dead-lettering is off. */
  dlqTopicFor: ((topic: string) => string) | undefined;
  fromBeginning: boolean;
  partitionsConsumedConcurrently: number;
  heartbeatIntervalMs: number;
  commitIntervalMs: number;
  lagIntervalMs: number;
  maxBatchSize: number;
}

interface Deps {
  consumer: KafkaJsConsumer;
  codec: AvroCodec;
  dlqProducer: () => Promise<AvroProducer>;
  lag: (group: string, topics: readonly string[]) => Promise<PartitionLag[]>;
  metrics: KafkaMetrics;
  logger: Logger;
}

type Outcome = 'done' | 'dead-lettered' | 'abandoned';

interface Pending<V> {
  message: KafkaMessage;
  headers: Headers;
  trace: Context;
  record?: ConsumedRecord<V>;
}

interface Failure {
  error: OmenError;
  retryable: boolean;
}

/**
 * OmenErrors say for themselves whether a retry can help (a handler rejects a record for good
 * with a non-retryable code such as INVALID_ARGUMENT). Anything else — a driver's socket error,
 * a bug — is retried within the bound before the DLQ: an outage of a sink that throws plain
 * errors must not dead-letter a healthy stream, and a bug only costs the retries.
 */
function classify(err: unknown): Failure {
  if (isOmenError(err)) return { error: err, retryable: isRetryable(err) };
  if (err instanceof Error && err.name.startsWith('KafkaJS')) {
    const error = fromKafkaError(err, 'handling a record');
    return { error, retryable: isRetryable(error) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: new OmenError(isRetryable(err) ? 'UNAVAILABLE' : 'UNKNOWN', message, { cause: err }), retryable: true };
}

/**
 * At-least-once consumption over kafkajs' eachBatch with auto-commit off: a record's offset is
 * committed only once it and every record before it in its partition are done — handled, or
 * dead-lettered with their original bytes. Retryable failures are retried with exponential
 * backoff; what still fails, and poison (undecodable) records at once, go to
 * `<topic>.dlq.<group>`. If even that produce fails, the batch fails uncommitted and kafkajs
 * restarts from the last done record, so nothing is ever skipped.
 */
export class KafkaConsumerRunner<V> implements ConsumerRunner {
  readonly group: string;
  readonly topics: readonly string[];
  readonly ready: Promise<void>;
  readonly crashed: Promise<OmenError>;
  private readonly settings: ConsumerSettings<V>;
  private readonly deps: Deps;
  private readonly tracker = new OffsetTracker();
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private stopping: Promise<void> | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private resolveReady!: () => void;
  private resolveCrashed!: (error: OmenError) => void;

  constructor(settings: ConsumerSettings<V>, deps: Deps) {
    this.settings = settings;
    this.deps = deps;
    this.group = settings.group;
    this.topics = settings.topics;
    this.log = deps.logger;
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    this.crashed = new Promise((resolve) => (this.resolveCrashed = resolve));
  }

  async start(): Promise<void> {
    const { consumer } = this.deps;
    consumer.on(consumer.events.GROUP_JOIN, () => this.resolveReady());
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.log.error({ group: this.group, err: error, restart }, restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good');
      if (!restart) this.resolveCrashed(fromKafkaError(error, `consumer group "${this.group}"`));
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: this.settings.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      throw fromKafkaError(err, `starting consumer group "${this.group}"`);
    }
    if (this.settings.lagIntervalMs > 0) {
      this.lagTimer = setInterval(() => {
        this.refreshLag().catch((err: unknown) => this.log.debug({ group: this.group, err }, 'lag refresh failed'));
      }, this.settings.lagIntervalMs);
      this.lagTimer.unref();
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.lagTimer);
      this.abort.abort();
      try {
        // kafkajs' stop waits for the batch in flight; eachBatch sees isRunning() turn false,
        // finishes its current record and commits before returning.
        await this.deps.consumer.disconnect();
      } catch (err) {
        throw fromKafkaError(err, `stopping consumer group "${this.group}"`);
      }
    })();
    return this.stopping;
  }

  async refreshLag(): Promise<PartitionLag[]> {
    const all = await this.deps.lag(this.group, this.topics);
    for (const p of all) {
      this.deps.metrics.lag.set({ group: this.group, topic: p.topic, partition: String(p.partition) }, p.lag);
    }
    return all;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const isRunning = (): boolean => payload.isRunning();
    const isStale = (): boolean => payload.isStale();
    // Whatever was pending here belongs to a batch that failed; kafkajs delivers it again.
    this.tracker.dropPending(topic, partition);
    const messages = batch.messages;
    for (const message of messages) this.tracker.track(topic, partition, message.offset);

    let completedAll = true;
    try {
      if (this.settings.batchHandler) {
        for (let start = 0; start < messages.length; start += this.settings.maxBatchSize) {
          if (!isRunning() || isStale()) {
            completedAll = false;
            break;
          }
          const chunk = messages.slice(start, start + this.settings.maxBatchSize);
          if (!(await this.processChunk(topic, partition, chunk, payload))) {
            completedAll = false;
            break;
          }
          await this.commit(topic, partition, payload);
        }
      } else {
        let lastCommit = Date.now();
        for (const message of messages) {
          if (!isRunning() || isStale()) {
            completedAll = false;
            break;
          }
          const outcome = await this.processOne(topic, partition, message, payload);
          if (outcome === 'abandoned') {
            completedAll = false;
            break;
          }
          this.markDone(topic, partition, message.offset, payload);
          if (Date.now() - lastCommit >= this.settings.commitIntervalMs) {
            await this.commit(topic, partition, payload);
            lastCommit = Date.now();
          }
        }
      }
      if (completedAll && messages.length > 0) {
        // Trailing control records (transaction markers) are never delivered; step over them.
        this.tracker.skipThrough(topic, partition, batch.lastOffset());
        payload.resolveOffset(batch.lastOffset());
      }
    } finally {
      // Commit what is done even when the batch fails: those records are safe.
      if (!isStale()) await this.commit(topic, partition, payload);
    }
  }

  private markDone(topic: string, partition: number, offset: string, payload: EachBatchPayload): void {
    this.tracker.complete(topic, partition, offset);
    payload.resolveOffset(offset);
  }

  private async commit(topic: string, partition: number, payload: EachBatchPayload): Promise<void> {
    const offset = this.tracker.committable(topic, partition);
    if (offset === undefined) return;
    await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    this.tracker.markCommitted(topic, partition, offset);
  }

  private handlerContext(attempt: number): HandlerContext {
    return { group: this.group, attempt, signal: this.abort.signal, logger: this.log };
  }

  private async toRecord(topic: string, partition: number, item: Pending<V>): Promise<ConsumedRecord<V>> {
    if (item.record) return item.record;
    const { message, headers } = item;
    let value: unknown = message.value;
    let schemaId: number | undefined;
    if (this.settings.schemaDecoding) {
      const decoded = await this.deps.codec.decode(message.value);
      value = decoded.value;
      schemaId = decoded.schemaId;
    }
    item.record = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      value: value as V,
      headers,
      timestamp: Number(message.timestamp),
      eventId: headers[EVENT_ID_HEADER],
      schemaId,
      rawValue: message.value,
    };
    return item.record;
  }

  private pending(message: KafkaMessage): Pending<V> {
    const headers = decodeHeaders(message.headers);
    return { message, headers, trace: extractTrace(headers) };
  }

  /** Keeps the group membership alive while a handler or a backoff takes longer than a heartbeat. */
  private async withHeartbeats<T>(payload: EachBatchPayload, fn: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      // A failed heartbeat (rebalance under way) is not this record's failure; the fetch
      // loop rejoins the group, and commits of a stale generation fail loudly there.
      payload.heartbeat().catch((err: unknown) => this.log.debug({ group: this.group, err }, 'heartbeat failed'));
    }, this.settings.heartbeatIntervalMs);
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Runs `attemptOnce` until it succeeds, retrying retryable failures with backoff. Returns
   * the failure to dead-letter, or 'abandoned' when the consumer is stopping.
   */
  private async attempts(
    topic: string,
    payload: EachBatchPayload,
    attemptOnce: (attempt: number) => Promise<void>,
  ): Promise<{ ok: true } | { ok: false; error: OmenError; attempts: number } | 'abandoned'> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withHeartbeats(payload, () => attemptOnce(attempt));
        return { ok: true };
      } catch (err) {
        if (this.abort.signal.aborted) return 'abandoned';
        const { error, retryable } = classify(err);
        this.deps.metrics.failed.inc({ group: this.group, topic, code: error.code });
        if (!shouldRetry(this.settings.retry, attempt, retryable)) return { ok: false, error, attempts: attempt };
        const delay = backoffDelay(this.settings.retry, attempt);
        this.log.warn({ group: this.group, topic, attempt, delayMs: delay, code: error.code, err: error }, 'handler failed; retrying');
        const slept = await this.withHeartbeats(payload, () => sleep(delay, this.abort.signal));
        if (!slept) return 'abandoned';
      }
    }
  }

  private async processOne(topic: string, partition: number, message: KafkaMessage, payload: EachBatchPayload): Promise<Outcome> {
    const started = performance.now();
    const item = this.pending(message);
    const span = tracer.startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.consumer.group.name': this.group,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': Number(message.offset),
        },
      },
      item.trace,
    );
    const active = trace.setSpan(item.trace, span);
    try {
      const handler = this.settings.handler!;
      const result = await this.attempts(topic, payload, async (attempt) => {
        const record = await this.toRecord(topic, partition, item);
        await context.with(active, () => handler(record, this.handlerContext(attempt)));
      });
      if (result === 'abandoned') return 'abandoned';
      if (result.ok) {
        this.deps.metrics.processed.inc({ group: this.group, topic });
        return 'done';
      }
      span.recordException(result.error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
      await this.deadLetter(topic, partition, item, result.error, result.attempts, span);
      return 'dead-lettered';
    } finally {
      span.end();
      this.deps.metrics.handlingSeconds.observe({ group: this.group, topic }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Batch mode: poison records go to the DLQ, the rest to the handler together. If the batch
   * still fails, each record is retried alone so one bad record does not dead-letter the
   * others (sinks are idempotent, so records the failed batch call did write are harmless).
   * Returns false when the consumer is stopping and the chunk was left unfinished.
   */
  private async processChunk(topic: string, partition: number, messages: KafkaMessage[], payload: EachBatchPayload): Promise<boolean> {
    const started = performance.now();
    const items = messages.map((m) => this.pending(m));
    const span = tracer.startSpan(`process ${topic}`, {
      kind: SpanKind.CONSUMER,
      links: linksFrom(items.map((i) => i.trace)),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': this.group,
        'messaging.destination.partition.id': String(partition),
        'messaging.batch.message_count': messages.length,
      },
    });
    const active = trace.setSpan(context.active(), span);
    const handler = this.settings.batchHandler!;
    try {
      const decoded: Pending<V>[] = [];
      for (const item of items) {
        const result = await this.attempts(topic, payload, async () => {
          await this.toRecord(topic, partition, item);
        });
        if (result === 'abandoned') return false;
        if (result.ok) decoded.push(item);
        else await this.deadLetter(topic, partition, item, result.error, result.attempts, span);
      }
      if (decoded.length > 0) {
        const whole = await this.attempts(topic, payload, async (attempt) => {
          await context.with(active, () => handler(decoded.map((i) => i.record!), this.handlerContext(attempt)));
        });
        if (whole === 'abandoned') return false;
        if (!whole.ok) {
          this.log.warn({ group: this.group, topic, partition, code: whole.error.code }, 'batch failed; retrying its records one by one');
          for (const item of decoded) {
            const single = await this.attempts(topic, payload, async (attempt) => {
              await context.with(active, () => handler([item.record!], this.handlerContext(attempt)));
            });
            if (single === 'abandoned') return false;
            if (single.ok) this.deps.metrics.processed.inc({ group: this.group, topic });
            else await this.deadLetter(topic, partition, item, single.error, single.attempts, span);
          }
        } else {
          this.deps.metrics.processed.inc({ group: this.group, topic }, decoded.length);
        }
      }
      for (const item of items) this.markDone(topic, partition, item.message.offset, payload);
      return true;
    } finally {
      span.end();
      this.deps.metrics.handlingSeconds.observe({ group: this.group, topic }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Sends the record's original key, bytes and headers to the DLQ with the failure described
   * in headers. Throws (so nothing gets committed) when there is no DLQ or the produce fails.
   */
  private async deadLetter(topic: string, partition: number, item: Pending<V>, error: OmenError, attempts: number, span: Span): Promise<void> {
    const { message } = item;
    const where = `${topic}/${partition}@${message.offset}`;
    const dlqTopicFor = this.settings.dlqTopicFor;
    if (!dlqTopicFor) {
      throw new OmenError('FAILED_PRECONDITION', `record ${where} failed (${error.code}: ${error.message}) and group "${this.group}" has no DLQ; not committing it`, {
        cause: error,
      });
    }
    const dlq = dlqTopicFor(topic);
    const failure = dlqHeaders({
      errorCode: error.code,
      errorMessage: error.message,
      originTopic: topic,
      originPartition: partition,
      originOffset: message.offset,
      originTimestamp: message.timestamp,
      group: this.group,
      failedAt: new Date(),
      attempts,
    });
    const original: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (value === undefined) continue;
      const last = Array.isArray(value) ? value.at(-1) : value;
      if (last !== undefined) original[name] = last;
    }
    try {
      const producer = await this.deps.dlqProducer();
      // The span context makes the DLQ record part of the failed record's trace.
      await context.with(trace.setSpan(item.trace, span), () =>
        producer.sendRaw(dlq, [{ key: message.key ?? null, value: message.value, headers: { ...original, ...failure } }]),
      );
    } catch (err) {
      const cause = classify(err).error;
      this.log.error({ group: this.group, topic, dlq, offset: message.offset, err: cause }, 'DLQ produce failed; leaving the record uncommitted');
      throw new OmenError('UNAVAILABLE', `record ${where} failed and could not be dead-lettered to "${dlq}": ${cause.message}; not committing it`, {
        cause: err,
      });
    }
    this.deps.metrics.dlq.inc({ group: this.group, topic, code: error.code });
    this.log.warn({ group: this.group, topic, partition, offset: message.offset, dlq, code: error.code, attempts }, 'record dead-lettered');
  }
}
