import type { EachBatchPayload } from 'kafkajs';
import type { OmenError } from '@omen/errors';
import { fromKafkaError } from '../errors.ts';
import type { OffsetGap } from '../gaps.ts';
import { onOffsetOutOfRange } from '../kafkajs-compat.ts';
import type { PartitionLag } from '../lag.ts';
import { CommitKeeper } from './commits.ts';
import type { Deferral } from './deferrals.ts';
import { GapStops } from './gap-stops.ts';
import { RecordProcessor } from './processing.ts';
import type { ConsumerDeps, ConsumerRunner, ConsumerScope, ConsumerSettings } from './types.ts';

/**
 * At-least-once consumption over kafkajs' eachBatch with auto-commit off: a record's offset is
 * committed only once it and every record before it in its partition are done — handled, or
 * dead-lettered with their original bytes. Retryable failures are retried with exponential
 * backoff; what still fails, and poison (undecodable) records at once, go to
 * `<topic>.dlq.<group>`. If even that produce fails, the batch fails uncommitted and kafkajs
 * restarts from the last done record, so nothing is ever skipped.
 *
 * This file is the group membership and the fetch loop; the stages it runs each batch through
 * are beside it: processing.ts (handler calls, retries.ts, dead-letter.ts, spans.ts),
 * commits.ts (what is done, deferred and committed), gap-stops.ts (offsets lost to the log).
 */
export class KafkaConsumerRunner<V> implements ConsumerRunner {
  readonly group: string;
  readonly topics: readonly string[];
  readonly ready: Promise<void>;
  readonly crashed: Promise<OmenError>;
  readonly #scope: ConsumerScope<V>;
  readonly #abort = new AbortController();
  readonly #commits: CommitKeeper<V>;
  readonly #processor: RecordProcessor<V>;
  readonly #gaps: GapStops<V>;
  /** `topic/partition` whose loss and stop series exist (see #eachBatch). */
  readonly #seenPartitions = new Set<string>();
  #stopping: Promise<void> | undefined;
  #lagTimer: NodeJS.Timeout | undefined;
  #resolveReady!: () => void;
  #resolveCrashed!: (error: OmenError) => void;
  #memberId: string | undefined;
  #unhookOutOfRange: (() => void) | undefined;

  constructor(settings: ConsumerSettings<V>, deps: ConsumerDeps) {
    this.group = settings.group;
    this.topics = settings.topics;
    this.#scope = { group: settings.group, settings, deps, log: deps.logger, signal: this.#abort.signal };
    this.#commits = new CommitKeeper(this.#scope);
    this.#processor = new RecordProcessor(this.#scope, this.#commits);
    this.#gaps = new GapStops(this.#scope);
    this.ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.crashed = new Promise((resolve) => (this.#resolveCrashed = resolve));
  }

  async start(): Promise<void> {
    const { settings, deps, log } = this.#scope;
    const { consumer } = deps;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.#memberId = event.payload.memberId;
      const assigned = event.payload.memberAssignment;
      this.#commits.forgetRevoked(assigned);
      this.#gaps.releaseRevoked(assigned);
      this.#resolveReady();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      log.error(
        { group: this.group, err: error, restart },
        restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good',
      );
      if (!restart) this.#resolveCrashed(fromKafkaError(error, `consumer group "${this.group}"`));
    });
    const unhook = onOffsetOutOfRange(
      this.group,
      () => this.#memberId,
      (event) => this.#gaps.onOutOfRange(event),
    );
    this.#unhookOutOfRange = unhook;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: settings.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
    } catch (err) {
      unhook();
      await consumer.disconnect().catch(() => {});
      throw fromKafkaError(err, `starting consumer group "${this.group}"`);
    }
    if (settings.lagIntervalMs > 0) {
      this.#lagTimer = setInterval(() => {
        this.refreshLag().catch((err: unknown) => log.debug({ group: this.group, err }, 'lag refresh failed'));
      }, settings.lagIntervalMs);
      this.#lagTimer.unref();
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      clearInterval(this.#lagTimer);
      this.#commits.close();
      this.#abort.abort();
      try {
        // Acks that came in since the last batch: commit them while still a member.
        await this.#commits
          .commitAll()
          .catch((err: unknown) =>
            this.#scope.log.warn(
              { group: this.group, err },
              'committing deferred acks at stop failed; they are re-delivered',
            ),
          );
        // kafkajs' stop waits for the batch in flight; eachBatch sees isRunning() turn false,
        // finishes its current record and commits before returning.
        await this.#scope.deps.consumer.disconnect();
      } catch (err) {
        throw fromKafkaError(err, `stopping consumer group "${this.group}"`);
      } finally {
        this.#unhookOutOfRange?.();
      }
    })();
    return this.#stopping;
  }

  async refreshLag(): Promise<PartitionLag[]> {
    const { deps } = this.#scope;
    const all = await deps.lag(this.group, this.topics);
    for (const p of all) {
      deps.metrics.lag.set({ group: this.group, topic: p.topic, partition: String(p.partition) }, p.lag);
    }
    return all;
  }

  stoppedPartitions(): OffsetGap[] {
    return this.#gaps.list();
  }

  acceptGap(topic: string, partition: number, expected: string): Promise<OffsetGap> {
    return this.#gaps.accept(topic, partition, expected);
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { settings, deps } = this.#scope;
    const commits = this.#commits;
    const { batch } = payload;
    const { topic, partition } = batch;
    const isRunning = (): boolean => payload.isRunning();
    const isStale = (): boolean => payload.isStale();
    /** Before each record or chunk: not when stopping or stale, and not past the deferred bound. */
    const mayGoOn = async (): Promise<boolean> =>
      isRunning() && !isStale() && (await commits.belowDeferredBound(payload));
    if (!this.#seenPartitions.has(`${topic}/${partition}`)) {
      // The loss counter and the stop gauge exist at 0 from a partition's first batch on: a
      // counter that first appears at its first loss is invisible to increase(), so the
      // OmenOffsetsLost alert would miss exactly the first records lost.
      this.#seenPartitions.add(`${topic}/${partition}`);
      const labels = { group: this.group, topic, partition: String(partition) };
      deps.metrics.skippedOffsets.inc(labels, 0);
      if (!this.#gaps.isStopped(topic, partition)) deps.metrics.partitionStopped.set(labels, 0);
    }
    commits.trackBatch(batch);
    const messages = batch.messages;

    let completedAll = true;
    try {
      if (settings.batchHandler) {
        for (let start = 0; start < messages.length; start += settings.maxBatchSize) {
          if (!(await mayGoOn())) {
            completedAll = false;
            break;
          }
          const chunk = messages.slice(start, start + settings.maxBatchSize);
          if (!(await this.#processor.processChunk(topic, partition, chunk, payload))) {
            completedAll = false;
            break;
          }
          await commits.commit(topic, partition, payload);
        }
      } else {
        let lastCommit = Date.now();
        for (const message of messages) {
          if (!(await mayGoOn())) {
            completedAll = false;
            break;
          }
          const deferrals: Deferral[] = [];
          const outcome = await this.#processor.processOne(topic, partition, message, payload, deferrals);
          if (outcome === 'abandoned') {
            completedAll = false;
            break;
          }
          commits.markDone(topic, partition, message.offset, payload, commits.register(deferrals));
          if (Date.now() - lastCommit >= settings.commitIntervalMs) {
            await commits.commit(topic, partition, payload);
            lastCommit = Date.now();
          }
        }
      }
      if (completedAll && messages.length > 0) commits.completeBatch(batch, payload);
    } finally {
      // Commit what is done even when the batch fails: those records are safe.
      if (!isStale()) await commits.commit(topic, partition, payload);
    }
  }
}
