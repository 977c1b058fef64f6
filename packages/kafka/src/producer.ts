import { randomUUID } from 'node:crypto';
import type { Message, Producer as KafkaJsProducer } from 'kafkajs';
import { OmenError, isOmenError } from '@omen/errors';
import type { AvroCodec, AvroSchema } from './codec.ts';
import { fromKafkaError } from './errors.ts';
import { EVENT_ID_HEADER, encodeHeaders, type Headers } from './headers.ts';
import type { KafkaMetrics } from './metrics.ts';
import { SpanKind, SpanStatusCode, context, injectTrace, linksFrom, trace, tracer, type Context } from './tracing.ts';

/** A typed record to send; its value is Avro-encoded with the topic's schema. */
export interface ProduceRecord<V = unknown> {
  /** Partitioning key (a repository id, say): records with one key keep their order. */
  key: string | null;
  value: V;
  headers?: Headers;
  /** When the event happened; becomes the Kafka record timestamp. @default now */
  eventTime?: Date | number;
  /** Idempotency id, sent as the `event-id` header. @default a random UUID */
  eventId?: string;
  /** Explicit partition; otherwise chosen from the key. */
  partition?: number;
  /**
   * The trace this record continues, e.g. the `trace` of the consumed record it was computed
   * from: its headers then carry that context, and the send span links to it.
   * @default the send span's context
   */
  trace?: Context | undefined;
}

/** A record whose bytes are sent as they are (DLQ replays, tests that need garbage). */
export interface RawRecord {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Readonly<Record<string, string | Buffer>>;
  timestamp?: Date | number;
  partition?: number;
}

/** Where the brokers stored the first record of each partition's share of a send. */
export interface SendResult {
  topic: string;
  partition: number;
  /** Offset of the first record written to that partition by this send. */
  baseOffset: string;
}

export interface SendOptions {
  /** Schema to write with; registered under `<topic>-value` on first use. */
  schema?: AvroSchema;
}

export interface AvroProducer {
  /**
   * Encodes and sends records, resolving once every in-sync replica acknowledged them
   * (acks=all). Rejects with an OmenError: UNAVAILABLE (retryable) when the brokers or the
   * registry cannot be reached, INVALID_ARGUMENT when a value does not match its schema.
   */
  send<V>(topic: string, records: readonly ProduceRecord<V>[], options?: SendOptions): Promise<SendResult[]>;
  /** Sends bytes as they are, with the same acks, trace context and error mapping. */
  sendRaw(topic: string, records: readonly RawRecord[]): Promise<SendResult[]>;
  disconnect(): Promise<void>;
}

export type SchemaSource = Readonly<Record<string, AvroSchema>> | ((topic: string) => AvroSchema | undefined);

function timestampOf(value: Date | number | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new OmenError(
      'INVALID_ARGUMENT',
      `${what} must be a valid date or non-negative epoch milliseconds; got ${String(value)}`,
    );
  }
  return String(Math.trunc(ms));
}

function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new OmenError('INVALID_ARGUMENT', `topic must be a non-empty string; got ${JSON.stringify(topic)}`);
  }
}

function bytesOf(v: string | Buffer | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/** A record's share of a produce request: key, value, headers and the record framing (about 30 bytes). */
function messageBytes(m: Message): number {
  let n = 30 + bytesOf(m.key) + bytesOf(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) n += 8 + Buffer.byteLength(k) + bytesOf(one);
  }
  return n;
}

/** `messages` cut, in order, into runs of at most `maxBytes` (a larger record on its own). */
export function chunksOf(messages: readonly Message[], maxBytes: number): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const n = messageBytes(m);
    if (current.length > 0 && bytes + n > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class KafkaAvroProducer implements AvroProducer {
  readonly #producer: KafkaJsProducer;
  readonly #codec: AvroCodec;
  readonly #metrics: KafkaMetrics;
  readonly #schemas: SchemaSource | undefined;
  readonly #timeoutMs: number;
  readonly #maxRequestBytes: number;

  constructor(options: {
    producer: KafkaJsProducer;
    codec: AvroCodec;
    metrics: KafkaMetrics;
    schemas?: SchemaSource;
    timeoutMs: number;
    /** @default 921600 (ProducerOptions.maxRequestBytes) */
    maxRequestBytes?: number;
  }) {
    this.#producer = options.producer;
    this.#codec = options.codec;
    this.#metrics = options.metrics;
    this.#schemas = options.schemas;
    this.#timeoutMs = options.timeoutMs;
    this.#maxRequestBytes = options.maxRequestBytes ?? 900 * 1024;
  }

  #schemaFor(topic: string, explicit: AvroSchema | undefined): AvroSchema | undefined {
    if (explicit !== undefined) return explicit;
    if (typeof this.#schemas === 'function') return this.#schemas(topic);
    return this.#schemas?.[topic];
  }

  async send<V>(topic: string, records: readonly ProduceRecord<V>[], options: SendOptions = {}): Promise<SendResult[]> {
    checkTopic(topic);
    const continued = records.flatMap((r) => (r.trace ? [r.trace] : []));
    return this.#traced(topic, records.length, continued, async (headersWithTrace) => {
      const schema = this.#schemaFor(topic, options.schema);
      const messages: Message[] = [];
      // Resolved once per send (and compiled once per topic): no await per record.
      const encode = records.length > 0 ? await this.#codec.encoder(topic, schema) : undefined;
      for (const [index, record] of records.entries()) {
        if (record.key !== null && typeof record.key !== 'string') {
          throw new OmenError(
            'INVALID_ARGUMENT',
            `records[${index}].key must be a string or null; got ${typeof record.key}`,
          );
        }
        let value: Buffer;
        try {
          value = encode!(record.value);
        } catch (err) {
          if (isOmenError(err) && err.code === 'INVALID_ARGUMENT') {
            throw new OmenError('INVALID_ARGUMENT', `records[${index}]: ${err.message}`, { cause: err });
          }
          throw err;
        }
        const headers = encodeHeaders(record.headers);
        headers[EVENT_ID_HEADER] = record.eventId ?? record.headers?.[EVENT_ID_HEADER] ?? randomUUID();
        headersWithTrace(headers, record.trace);
        const timestamp = timestampOf(record.eventTime, `records[${index}].eventTime`);
        messages.push({
          key: record.key,
          value,
          headers,
          ...(timestamp !== undefined ? { timestamp } : {}),
          ...(record.partition !== undefined ? { partition: record.partition } : {}),
        });
      }
      return this.#write(topic, messages);
    });
  }

  async sendRaw(topic: string, records: readonly RawRecord[]): Promise<SendResult[]> {
    checkTopic(topic);
    return this.#traced(topic, records.length, [], (headersWithTrace) => {
      const messages = records.map((record, index): Message => {
        const timestamp = timestampOf(record.timestamp, `records[${index}].timestamp`);
        return {
          key: record.key,
          value: record.value,
          headers: headersWithTrace({ ...record.headers }),
          ...(timestamp !== undefined ? { timestamp } : {}),
          ...(record.partition !== undefined ? { partition: record.partition } : {}),
        };
      });
      return this.#write(topic, messages);
    });
  }

  async #write(topic: string, messages: Message[]): Promise<SendResult[]> {
    const results: SendResult[] = [];
    // One after the other: with one request in flight the chunks keep the records' order.
    for (const chunk of chunksOf(messages, this.#maxRequestBytes))
      results.push(...(await this.#writeOne(topic, chunk)));
    return results;
  }

  async #writeOne(topic: string, messages: Message[]): Promise<SendResult[]> {
    if (messages.length === 0) return [];
    try {
      // acks=-1: the leader answers only once every in-sync replica has the records.
      const metadata = await this.#producer.send({ topic, messages, acks: -1, timeout: this.#timeoutMs });
      this.#metrics.produced.inc({ topic }, messages.length);
      return metadata.map((m) => ({
        topic: m.topicName,
        partition: m.partition,
        baseOffset: m.baseOffset ?? m.offset ?? '-1',
      }));
    } catch (err) {
      throw fromKafkaError(err, `sending ${messages.length} record(s) to "${topic}"`);
    }
  }

  /**
   * One PRODUCER span per send; every record carries its context in W3C headers so that the
   * consumer's span joins the same trace — the send span's, or the record's own `trace` (then
   * linked from the send span) when it continues a trace of its own.
   */
  async #traced<T>(
    topic: string,
    count: number,
    continued: readonly Context[],
    body: (withTrace: <H extends Record<string, string | Buffer>>(headers: H, own?: Context) => H) => Promise<T>,
  ): Promise<T> {
    const span = tracer.startSpan(`send ${topic}`, {
      kind: SpanKind.PRODUCER,
      links: linksFrom(continued),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': count,
      },
    });
    const spanContext = trace.setSpan(context.active(), span);
    // One span for the send: records that carry no trace of their own share its carrier.
    let shared: Record<string, string> | undefined;
    const withTrace = <H extends Record<string, string | Buffer>>(headers: H, own?: Context): H => {
      let carrier: Record<string, string>;
      if (own) {
        carrier = {};
        injectTrace(carrier, own);
      } else {
        if (!shared) {
          shared = {};
          injectTrace(shared, spanContext);
        }
        carrier = shared;
      }
      return Object.assign(headers, carrier);
    };
    try {
      // Not run inside context.with(spanContext): nothing in the body reads the active context
      // (the records get it through withTrace), and entering an AsyncLocalStorage context turns
      // on Node's promise hooks for the whole process, a cost on every promise of a service that
      // only produces (ingest's webhooks, issue 16).
      return await body(withTrace);
    } catch (err) {
      const error = isOmenError(err) ? err : fromKafkaError(err, `sending to "${topic}"`);
      this.#metrics.produceErrors.inc({ topic, code: error.code });
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw error;
    } finally {
      span.end();
    }
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }
}
