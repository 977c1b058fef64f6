import type { Consumer as KafkaJsConsumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { OmenError, isOmenError, isRetryable } from '@omen/errors';
import type { AvroCodec } from './codec.ts';
import { fromKafkaError } from './errors.ts';
import { describeOffsetGap, type OffsetGap, type OffsetGapPolicy } from './gaps.ts';
import { EVENT_ID_HEADER, decodeHeaders, dlqHeaders, type Headers } from './headers.ts';
import { onOffsetOutOfRange, type OffsetOutOfRange } from './kafkajs-compat.ts';
import type { PartitionLag, PartitionWatermarks } from './lag.ts';
import type { Logger } from './logger.ts';
import type { KafkaMetrics } from './metrics.ts';
import { OffsetTracker } from './offsets.ts';
import type { AvroProducer } from './producer.ts';
import { backoffDelay, shouldRetry, sleep, type RetryPolicy } from './retry.ts';
import {
  SpanKind,
  SpanStatusCode,
  context,
  extractTrace,
  linksFrom,
  processAttributes,
  trace,
  tracer,
  type Context,
  type Span,
} from './tracing.ts';

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
  /**
   * This record's processing context: a CONSUMER span that is a child of the producer's span
   * (in batch mode one per record, beside the batch span that links them all). Send what is
   * computed from the record with it (`ProduceRecord.trace`, or `withRecordTraces`) and the
   * trace goes on through the next hop.
   */
  trace?: Context;
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
  /**
   * Defers the completion of one of the records this call was given: when the handler returns,
   * the record stays pending — its offset, and every later one of its partition, uncommitted —
   * until the returned ack is called. For a handler whose work on a record ends later than its
   * return (the drift-detector's window counts, reported only when the window closes), so that
   * a crash before then re-delivers the record. The partition keeps being consumed meanwhile.
   * Calling it again for the record returns the same ack; acks are idempotent. An ack is
   * ignored when the call that deferred it failed (the record is retried or dead-lettered), or
   * when the partition was revoked or re-delivered since: the new delivery is what counts.
   */
  defer(record: ConsumedRecord<unknown>): DeferredAck;
}

/** Completes a deferred record (see `HandlerContext.defer`). */
export type DeferredAck = () => void;

/** One deferral: open while the handler runs, registered with the tracker once it returned. */
interface Deferral {
  topic: string;
  partition: number;
  offset: string;
  state: 'open' | 'registered' | 'acked' | 'void';
  ticket: number;
  ack: DeferredAck;
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
  /** Reads the group's lag from the brokers and updates `omen_kafka_consumer_lag`. */
  refreshLag(): Promise<PartitionLag[]>;
  /** Partitions this consumer stopped at a gap in their log (policy `stop`), with the reason. */
  stoppedPartitions(): OffsetGap[];
  /**
   * An operator's decision to go on without a stopped partition's lost records (the consumer
   * never calls it itself): moves the partition to its log start, read again now since
   * retention may have moved it on, resumes it and clears the stop. `expected` must be the
   * offset the partition stopped at, so a decision made about one gap never accepts another.
   * Throws FAILED_PRECONDITION when the partition is not stopped there.
   * @returns the gap as accepted: `logStart`/`resumeAt` where reading goes on, `skipped` all lost
   */
  acceptGap(topic: string, partition: number, expected: string): Promise<OffsetGap>;
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
  /** Most deferred records held at once; at the bound the consumer waits for acks. */
  maxDeferred: number;
  /** What to do when the next offset to read is no longer in the log (gaps.ts). */
  offsetGapPolicy: OffsetGapPolicy;
  /** Told of every gap, after the policy was applied (a service turns a stop into NOT_SERVING). */
  onOffsetGap: ((gap: OffsetGap) => void) | undefined;
  /** Told when a partition stopped at a gap was revoked from this consumer. */
  onOffsetGapCleared: ((gap: OffsetGap) => void) | undefined;
}

interface Deps {
  consumer: KafkaJsConsumer;
  codec: AvroCodec;
  dlqProducer: () => Promise<AvroProducer>;
  lag: (group: string, topics: readonly string[]) => Promise<PartitionLag[]>;
  watermarks: (topic: string) => Promise<PartitionWatermarks[]>;
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
  return {
    error: new OmenError(isRetryable(err) ? 'UNAVAILABLE' : 'UNKNOWN', message, { cause: err }),
    retryable: true,
  };
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
  /** `topic/partition` whose loss and stop series exist (see eachBatch). */
  private readonly seenPartitions = new Set<string>();
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private stopping: Promise<void> | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private resolveReady!: () => void;
  private resolveCrashed!: (error: OmenError) => void;
  private deferredCommit: NodeJS.Timeout | undefined;
  private memberId: string | undefined;
  private unhookOutOfRange: (() => void) | undefined;
  /** Stopped partitions, with the refused fetch's seek (the only way to move a paused position). */
  private readonly stopped = new Map<string, OffsetGap & { seek: (offset: string) => Promise<void> }>();

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
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Revoked partitions: their deferred records are not ours to commit any more. Forgetting
      // them makes their acks stale (ignored); the new owner re-reads from the last commit.
      this.memberId = event.payload.memberId;
      const assigned = event.payload.memberAssignment;
      for (const [topic, partition] of this.tracker.trackedPartitions()) {
        if (!(assigned[topic] ?? []).includes(partition)) this.tracker.forget(topic, partition);
      }
      // A partition stopped at a gap and now revoked is its new owner's to stop (it meets the
      // same gap). Resumed here so that, if it comes back, it is fetched — and stopped — again
      // rather than sitting paused unreported.
      for (const [key, { seek: _seek, ...gap }] of this.stopped) {
        if ((assigned[gap.topic] ?? []).includes(gap.partition)) continue;
        this.stopped.delete(key);
        consumer.resume([{ topic: gap.topic, partitions: [gap.partition] }]);
        this.deps.metrics.partitionStopped.set(
          { group: this.group, topic: gap.topic, partition: String(gap.partition) },
          0,
        );
        this.log.warn(
          { group: this.group, topic: gap.topic, partition: gap.partition },
          'a partition stopped at a gap was revoked; no longer ours to report',
        );
        this.settings.onOffsetGapCleared?.(gap);
      }
      this.resolveReady();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.log.error(
        { group: this.group, err: error, restart },
        restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good',
      );
      if (!restart) this.resolveCrashed(fromKafkaError(error, `consumer group "${this.group}"`));
    });
    this.unhookOutOfRange = onOffsetOutOfRange(
      this.group,
      () => this.memberId,
      (event) => this.offsetOutOfRange(event),
    );
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
      this.unhookOutOfRange();
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
      clearTimeout(this.deferredCommit);
      this.abort.abort();
      try {
        // Acks that came in since the last batch: commit them while still a member.
        await this.commitAll().catch((err: unknown) =>
          this.log.warn({ group: this.group, err }, 'committing deferred acks at stop failed; they are re-delivered'),
        );
        // kafkajs' stop waits for the batch in flight; eachBatch sees isRunning() turn false,
        // finishes its current record and commits before returning.
        await this.deps.consumer.disconnect();
      } catch (err) {
        throw fromKafkaError(err, `stopping consumer group "${this.group}"`);
      } finally {
        this.unhookOutOfRange?.();
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

  stoppedPartitions(): OffsetGap[] {
    return [...this.stopped.values()].map(({ seek: _seek, ...gap }) => gap);
  }

  async acceptGap(topic: string, partition: number, expected: string): Promise<OffsetGap> {
    const key = `${topic}\u0000${partition}`;
    const stopped = this.stopped.get(key);
    if (!stopped || stopped.expected !== expected) {
      const at = stopped ? `it stopped at offset ${stopped.expected}` : 'it is not stopped at a gap here';
      throw new OmenError(
        'FAILED_PRECONDITION',
        `group "${this.group}" cannot accept a gap at ${topic}/${partition} offset ${expected}: ${at}`,
      );
    }
    let marks: PartitionWatermarks | undefined;
    try {
      marks = (await this.deps.watermarks(topic)).find((w) => w.partition === partition);
    } catch (err) {
      throw fromKafkaError(err, `reading the log bounds of ${topic}/${partition} to accept its gap`);
    }
    if (!marks) throw new OmenError('UNAVAILABLE', `no log bounds for ${topic}/${partition}`);
    // Retention may have deleted more since the stop: those records are lost too, and counted.
    const more = Math.max(0, Number(BigInt(marks.low) - BigInt(stopped.logStart)));
    const { seek, ...gap } = stopped;
    const accepted: OffsetGap = {
      ...gap,
      logStart: marks.low,
      logEnd: marks.high,
      resumeAt: marks.low,
      skipped: gap.skipped + more,
    };
    await seek(accepted.resumeAt);
    this.stopped.delete(key);
    this.deps.consumer.resume([{ topic, partitions: [partition] }]);
    const labels = { group: this.group, topic, partition: String(partition) };
    if (more > 0) this.deps.metrics.skippedOffsets.inc(labels, more);
    this.deps.metrics.partitionStopped.set(labels, 0);
    this.log.warn(
      {
        group: this.group,
        topic,
        partition,
        firstMissing: gap.expected,
        resumeAt: accepted.resumeAt,
        skipped: accepted.skipped,
        logEnd: accepted.logEnd,
      },
      `gap in ${topic}/${partition} accepted: going on from offset ${accepted.resumeAt} without offsets ${gap.expected}..${BigInt(accepted.resumeAt) - 1n} (${accepted.skipped} records)`,
    );
    this.settings.onOffsetGapCleared?.(accepted);
    return accepted;
  }

  /**
   * The broker refused a fetch: the position is not in the partition's log any more. Compares
   * it with the log's bounds, counts the records lost in `omen_kafka_consumer_skipped_offsets_total`,
   * logs the exact range at error, and applies the policy: `stop` pauses the partition where
   * it is (kafkajs' position and the group's commit stay below the gap), `skip` moves to the
   * log start. Throws (kafkajs retries the fetch) when the bounds cannot be read.
   */
  private async offsetOutOfRange(event: OffsetOutOfRange): Promise<void> {
    const { topic, partition, fetchOffset } = event;
    const policy = this.settings.offsetGapPolicy;
    let marks: PartitionWatermarks | undefined;
    try {
      marks = (await this.deps.watermarks(topic)).find((w) => w.partition === partition);
    } catch (err) {
      throw fromKafkaError(err, `reading the log bounds of ${topic}/${partition} after an out-of-range fetch`);
    }
    if (!marks)
      throw new OmenError(
        'UNAVAILABLE',
        `no log bounds for ${topic}/${partition} after an out-of-range fetch at ${fetchOffset}`,
      );
    const gap = describeOffsetGap({ group: this.group, topic, partition, policy }, fetchOffset, marks.low, marks.high);
    if (!gap) {
      this.log.warn(
        { group: this.group, topic, partition, offset: fetchOffset, logStart: marks.low, logEnd: marks.high },
        'fetch refused as out of range, but the offset is in the log now; fetching again',
      );
      return;
    }
    const labels = { group: this.group, topic, partition: String(partition) };
    this.deps.metrics.skippedOffsets.inc(labels, gap.skipped);
    this.log.error(
      {
        group: this.group,
        topic,
        partition,
        kind: gap.kind,
        firstMissing: gap.kind === 'deleted' ? gap.expected : undefined,
        lastMissing: gap.kind === 'deleted' ? (BigInt(gap.logStart) - 1n).toString() : undefined,
        skipped: gap.skipped,
        logStart: gap.logStart,
        logEnd: gap.logEnd,
        policy,
      },
      gap.reason,
    );
    if (policy === 'stop') {
      event.pause();
      this.stopped.set(`${topic}\u0000${partition}`, { ...gap, seek: (offset) => event.seek(offset) });
      this.deps.metrics.partitionStopped.set(labels, 1);
    } else {
      await event.seek(gap.resumeAt);
    }
    this.settings.onOffsetGap?.(gap);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const isRunning = (): boolean => payload.isRunning();
    const isStale = (): boolean => payload.isStale();
    if (!this.seenPartitions.has(`${topic}/${partition}`)) {
      // The loss counter and the stop gauge exist at 0 from a partition's first batch on: a
      // counter that first appears at its first loss is invisible to increase(), so the
      // OmenOffsetsLost alert would miss exactly the first records lost.
      this.seenPartitions.add(`${topic}/${partition}`);
      const labels = { group: this.group, topic, partition: String(partition) };
      this.deps.metrics.skippedOffsets.inc(labels, 0);
      if (!this.stopped.has(`${topic}\u0000${partition}`)) this.deps.metrics.partitionStopped.set(labels, 0);
    }
    // Whatever was pending from this batch's first offset on belongs to a batch that failed
    // (or to a partition fetched again from its commit); kafkajs delivers it again. Records
    // below it that a handler deferred stay pending: they were handled and do not come again.
    if (batch.messages.length > 0) this.tracker.dropFrom(topic, partition, batch.firstOffset()!);
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
          if (!(await this.belowDeferredBound(payload))) {
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
          if (!(await this.belowDeferredBound(payload))) {
            completedAll = false;
            break;
          }
          const deferrals: Deferral[] = [];
          const outcome = await this.processOne(topic, partition, message, payload, deferrals);
          if (outcome === 'abandoned') {
            completedAll = false;
            break;
          }
          this.markDone(topic, partition, message.offset, payload, this.register(deferrals));
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

  /** Resolving the offset lets kafkajs fetch on; the tracker alone decides what is committed. */
  private markDone(
    topic: string,
    partition: number,
    offset: string,
    payload: EachBatchPayload,
    deferred: ReadonlySet<string>,
  ): void {
    if (!deferred.has(offset)) this.tracker.complete(topic, partition, offset);
    payload.resolveOffset(offset);
  }

  /**
   * Hands the still-open deferrals of a successful handler call to the tracker; returns their
   * offsets (records acked before the call returned complete as usual).
   */
  private register(deferrals: readonly Deferral[]): Set<string> {
    const offsets = new Set<string>();
    for (const d of deferrals) {
      if (d.state !== 'open') continue;
      d.ticket = this.tracker.defer(d.topic, d.partition, d.offset);
      d.state = 'registered';
      offsets.add(d.offset);
    }
    return offsets;
  }

  private acknowledge(d: Deferral): void {
    if (d.state === 'open') d.state = 'acked';
    if (d.state !== 'registered') return;
    d.state = 'acked';
    if (this.tracker.resolveDeferred(d.topic, d.partition, d.offset, d.ticket)) this.scheduleCommit();
  }

  /**
   * Deferred acks arrive between batches, and a partition may get no further batch to commit
   * them; so they are committed on a timer too (batched: at most one commit per interval).
   */
  private scheduleCommit(): void {
    if (this.deferredCommit || this.stopping) return;
    this.deferredCommit = setTimeout(
      () => {
        this.deferredCommit = undefined;
        this.commitAll().catch((err: unknown) =>
          this.log.warn(
            { group: this.group, err },
            'committing deferred acks failed; retried with the next ack or batch',
          ),
        );
      },
      Math.max(100, this.settings.commitIntervalMs),
    );
    this.deferredCommit.unref();
  }

  private async commitAll(): Promise<void> {
    const plan = this.tracker.commitPlan();
    if (plan.length === 0) return;
    // A commit of a stale generation (rebalance under way) fails here and changes nothing.
    await this.deps.consumer.commitOffsets(plan);
    for (const p of plan) this.tracker.markCommitted(p.topic, p.partition, p.offset);
  }

  /**
   * Waits (heartbeating) while `maxDeferred` records await their acks: bounds the tracker's
   * memory. False when the consumer stops or the batch went stale meanwhile.
   */
  private async belowDeferredBound(payload: EachBatchPayload): Promise<boolean> {
    if (this.tracker.deferredCount() < this.settings.maxDeferred) return true;
    this.log.warn(
      { group: this.group, deferred: this.tracker.deferredCount() },
      'deferred records at the bound; waiting for acks',
    );
    return this.withHeartbeats(payload, async () => {
      while (this.tracker.deferredCount() >= this.settings.maxDeferred) {
        if (!payload.isRunning() || payload.isStale()) return false;
        if (!(await sleep(100, this.abort.signal))) return false;
      }
      return true;
    });
  }

  private async commit(topic: string, partition: number, payload: EachBatchPayload): Promise<void> {
    const offset = this.tracker.committable(topic, partition);
    if (offset === undefined) return;
    await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    this.tracker.markCommitted(topic, partition, offset);
  }

  /** `records` are those the call may defer; its deferrals are collected in `mine`. */
  private handlerContext(attempt: number, records: readonly ConsumedRecord<V>[], mine: Deferral[]): HandlerContext {
    const defer = (record: ConsumedRecord<unknown>): DeferredAck => {
      const found = mine.find(
        (d) => d.topic === record.topic && d.partition === record.partition && d.offset === record.offset,
      );
      if (found) return found.ack;
      if (
        !records.some((r) => r.topic === record.topic && r.partition === record.partition && r.offset === record.offset)
      ) {
        throw new OmenError(
          'INVALID_ARGUMENT',
          `defer: ${record.topic}/${record.partition}@${record.offset} is not a record of this handler call`,
        );
      }
      const d: Deferral = {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        state: 'open',
        ticket: 0,
        ack: () => this.acknowledge(d),
      };
      mine.push(d);
      return d.ack;
    };
    return { group: this.group, attempt, signal: this.abort.signal, logger: this.log, defer };
  }

  /**
   * One handler call: its deferrals join `into` when it succeeds, and are voided when it throws
   * — the record is then retried or dead-lettered, and a late ack of the failed call must not
   * complete it.
   */
  private async callHandler(
    attempt: number,
    records: readonly ConsumedRecord<V>[],
    into: Deferral[],
    call: (ctx: HandlerContext) => Promise<void> | void,
  ): Promise<void> {
    const mine: Deferral[] = [];
    try {
      await call(this.handlerContext(attempt, records, mine));
    } catch (err) {
      for (const d of mine) d.state = 'void';
      throw err;
    }
    into.push(...mine);
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
        this.log.warn(
          { group: this.group, topic, attempt, delayMs: delay, code: error.code, err: error },
          'handler failed; retrying',
        );
        const slept = await this.withHeartbeats(payload, () => sleep(delay, this.abort.signal));
        if (!slept) return 'abandoned';
      }
    }
  }

  private async processOne(
    topic: string,
    partition: number,
    message: KafkaMessage,
    payload: EachBatchPayload,
    deferrals: Deferral[],
  ): Promise<Outcome> {
    const started = performance.now();
    const item = this.pending(message);
    const span = tracer.startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: processAttributes(topic, this.group, partition, {
          'messaging.kafka.offset': Number(message.offset),
        }),
      },
      item.trace,
    );
    const active = trace.setSpan(item.trace, span);
    try {
      const handler = this.settings.handler!;
      const result = await this.attempts(topic, payload, async (attempt) => {
        const record = await this.toRecord(topic, partition, item);
        record.trace = active;
        await this.callHandler(attempt, [record], deferrals, (ctx) => context.with(active, () => handler(record, ctx)));
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
  private async processChunk(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const started = performance.now();
    const items = messages.map((m) => this.pending(m));
    const span = tracer.startSpan(`process ${topic}`, {
      kind: SpanKind.CONSUMER,
      links: linksFrom(items.map((i) => i.trace)),
      attributes: processAttributes(topic, this.group, partition, { 'messaging.batch.message_count': messages.length }),
    });
    const active = trace.setSpan(context.active(), span);
    const batchLink = [{ context: span.spanContext() }];
    // One span per record, a child of its producer's span, so each record's trace goes on through
    // this hop; the batch span above keeps the links (OTel's messaging conventions for a batch).
    const recordSpans = items.map((item) =>
      tracer.startSpan(
        `process ${topic}`,
        {
          kind: SpanKind.CONSUMER,
          links: batchLink,
          attributes: processAttributes(topic, this.group, partition, {
            'messaging.kafka.offset': Number(item.message.offset),
          }),
        },
        item.trace,
      ),
    );
    const handler = this.settings.batchHandler!;
    try {
      const decoded: Pending<V>[] = [];
      const deferrals: Deferral[] = [];
      for (const item of items) {
        const result = await this.attempts(topic, payload, async () => {
          await this.toRecord(topic, partition, item);
        });
        if (result === 'abandoned') return false;
        if (result.ok) {
          item.record!.trace = trace.setSpan(item.trace, recordSpans[items.indexOf(item)]!);
          decoded.push(item);
        } else await this.deadLetter(topic, partition, item, result.error, result.attempts, span);
      }
      if (decoded.length > 0) {
        const whole = await this.attempts(topic, payload, async (attempt) => {
          const records = decoded.map((i) => i.record!);
          await this.callHandler(attempt, records, deferrals, (ctx) =>
            context.with(active, () => handler(records, ctx)),
          );
        });
        if (whole === 'abandoned') return false;
        if (!whole.ok) {
          this.log.warn(
            { group: this.group, topic, partition, code: whole.error.code },
            'batch failed; retrying its records one by one',
          );
          for (const item of decoded) {
            const single = await this.attempts(topic, payload, async (attempt) => {
              await this.callHandler(attempt, [item.record!], deferrals, (ctx) =>
                context.with(active, () => handler([item.record!], ctx)),
              );
            });
            if (single === 'abandoned') return false;
            if (single.ok) this.deps.metrics.processed.inc({ group: this.group, topic });
            else await this.deadLetter(topic, partition, item, single.error, single.attempts, span);
          }
        } else {
          this.deps.metrics.processed.inc({ group: this.group, topic }, decoded.length);
        }
      }
      const deferred = this.register(deferrals);
      for (const item of items) this.markDone(topic, partition, item.message.offset, payload, deferred);
      return true;
    } finally {
      for (const s of recordSpans) s.end();
      span.end();
      this.deps.metrics.handlingSeconds.observe({ group: this.group, topic }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Sends the record's original key, bytes and headers to the DLQ with the failure described
   * in headers. Throws (so nothing gets committed) when there is no DLQ or the produce fails.
   */
  private async deadLetter(
    topic: string,
    partition: number,
    item: Pending<V>,
    error: OmenError,
    attempts: number,
    span: Span,
  ): Promise<void> {
    const { message } = item;
    const where = `${topic}/${partition}@${message.offset}`;
    const dlqTopicFor = this.settings.dlqTopicFor;
    if (!dlqTopicFor) {
      throw new OmenError(
        'FAILED_PRECONDITION',
        `record ${where} failed (${error.code}: ${error.message}) and group "${this.group}" has no DLQ; not committing it`,
        {
          cause: error,
        },
      );
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
        producer.sendRaw(dlq, [
          { key: message.key ?? null, value: message.value, headers: { ...original, ...failure } },
        ]),
      );
    } catch (err) {
      const cause = classify(err).error;
      this.log.error(
        { group: this.group, topic, dlq, offset: message.offset, err: cause },
        'DLQ produce failed; leaving the record uncommitted',
      );
      throw new OmenError(
        'UNAVAILABLE',
        `record ${where} failed and could not be dead-lettered to "${dlq}": ${cause.message}; not committing it`,
        {
          cause: err,
        },
      );
    }
    this.deps.metrics.dlq.inc({ group: this.group, topic, code: error.code });
    this.log.warn(
      { group: this.group, topic, partition, offset: message.offset, dlq, code: error.code, attempts },
      'record dead-lettered',
    );
  }
}
