import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { context, trace } from '../tracing.ts';
import type { CommitKeeper } from './commits.ts';
import { deadLetter } from './dead-letter.ts';
import { callHandler, type Deferral } from './deferrals.ts';
import { pending, toRecord, type Pending } from './records.ts';
import { attempts } from './retries.ts';
import { markFailed, observeHandling, startBatchSpan, startRecordSpan } from './spans.ts';
import type { ConsumedRecord, ConsumerScope } from './types.ts';

export type Outcome = 'done' | 'dead-lettered' | 'abandoned';

/**
 * Hands fetched records to the service's handler: decoded, in their trace, retried with
 * backoff, and dead-lettered with their original bytes when retries do not help.
 */
export class RecordProcessor<V> {
  readonly #scope: ConsumerScope<V>;
  readonly #commits: CommitKeeper<V>;

  constructor(scope: ConsumerScope<V>, commits: CommitKeeper<V>) {
    this.#scope = scope;
    this.#commits = commits;
  }

  #decode(topic: string, partition: number, item: Pending<V>): Promise<ConsumedRecord<V>> {
    return toRecord(topic, partition, item, this.#scope.settings.schemaDecoding ? this.#scope.deps.codec : undefined);
  }

  /** Record mode: one record, one handler call (retried), its deferrals collected in `deferrals`. */
  async processOne(
    topic: string,
    partition: number,
    message: KafkaMessage,
    payload: EachBatchPayload,
    deferrals: Deferral[],
  ): Promise<Outcome> {
    const scope = this.#scope;
    const { group, deps } = scope;
    const started = performance.now();
    const item = pending<V>(message);
    const span = startRecordSpan(group, topic, partition, message.offset, item.trace);
    const active = trace.setSpan(item.trace, span);
    try {
      const handler = scope.settings.handler!;
      const result = await attempts(scope, topic, payload, async (attempt) => {
        const record = await this.#decode(topic, partition, item);
        record.trace = active;
        await callHandler(scope, this.#commits.acknowledge, attempt, [record], deferrals, (ctx) =>
          context.with(active, () => handler(record, ctx)),
        );
      });
      if (result === 'abandoned') return 'abandoned';
      if (result.ok) {
        deps.metrics.processed.inc({ group, topic });
        return 'done';
      }
      markFailed(span, result.error);
      await deadLetter(scope, topic, partition, item, result.error, result.attempts, span);
      return 'dead-lettered';
    } finally {
      span.end();
      observeHandling(scope, topic, started);
    }
  }

  /**
   * Batch mode: poison records go to the DLQ, the rest to the handler together. If the batch
   * still fails, each record is retried alone so one bad record does not dead-letter the
   * others (sinks are idempotent, so records the failed batch call did write are harmless).
   * Returns false when the consumer is stopping and the chunk was left unfinished.
   */
  async processChunk(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const scope = this.#scope;
    const { group, deps, log } = scope;
    const acknowledge = this.#commits.acknowledge;
    const started = performance.now();
    const items = messages.map((m) => pending<V>(m));
    const span = startBatchSpan(
      group,
      topic,
      partition,
      items.map((i) => i.trace),
    );
    const active = trace.setSpan(context.active(), span);
    const batchLink = [{ context: span.spanContext() }];
    // One span per record, a child of its producer's span, so each record's trace goes on through
    // this hop; the batch span above keeps the links (OTel's messaging conventions for a batch).
    const recordSpans = items.map((item) =>
      startRecordSpan(group, topic, partition, item.message.offset, item.trace, batchLink),
    );
    const handler = scope.settings.batchHandler!;
    try {
      const decoded: Pending<V>[] = [];
      const deferrals: Deferral[] = [];
      for (const item of items) {
        const result = await attempts(scope, topic, payload, async () => {
          await this.#decode(topic, partition, item);
        });
        if (result === 'abandoned') return false;
        if (result.ok) {
          item.record!.trace = trace.setSpan(item.trace, recordSpans[items.indexOf(item)]!);
          decoded.push(item);
        } else await deadLetter(scope, topic, partition, item, result.error, result.attempts, span);
      }
      if (decoded.length > 0) {
        const whole = await attempts(scope, topic, payload, async (attempt) => {
          const records = decoded.map((i) => i.record!);
          await callHandler(scope, acknowledge, attempt, records, deferrals, (ctx) =>
            context.with(active, () => handler(records, ctx)),
          );
        });
        if (whole === 'abandoned') return false;
        if (!whole.ok) {
          log.warn(
            { group, topic, partition, code: whole.error.code },
            'batch failed; retrying its records one by one',
          );
          for (const item of decoded) {
            const single = await attempts(scope, topic, payload, async (attempt) => {
              await callHandler(scope, acknowledge, attempt, [item.record!], deferrals, (ctx) =>
                context.with(active, () => handler([item.record!], ctx)),
              );
            });
            if (single === 'abandoned') return false;
            if (single.ok) deps.metrics.processed.inc({ group, topic });
            else await deadLetter(scope, topic, partition, item, single.error, single.attempts, span);
          }
        } else {
          deps.metrics.processed.inc({ group, topic }, decoded.length);
        }
      }
      const deferred = this.#commits.register(deferrals);
      for (const item of items) this.#commits.markDone(topic, partition, item.message.offset, payload, deferred);
      return true;
    } finally {
      for (const s of recordSpans) s.end();
      span.end();
      observeHandling(scope, topic, started);
    }
  }
}
