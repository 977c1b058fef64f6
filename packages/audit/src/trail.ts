// The audit trail of one service: audited calls (the gRPC kit's auth interceptor reports them)
// go to audit.events.v1 and the ClickHouse audit table, off the request path. A call only pushes
// its record into a bounded LogBuffer; batches are written to both sinks together, retried
// with backoff while either refuses, and dropped oldest-first — counted in
// omen_audit_events_dropped_total and logged — when the sinks cannot keep up, so an outage costs
// old audit records, never a caller's latency. Event ids are fixed when the record is made, so a
// batch written twice collapses under FINAL in ClickHouse and by the event-id header on Kafka.
import { createClickHouse, type ClickHouse } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import { avroSchema, type AuditEvent } from '@omen/contracts';
import { ConfigError, UnavailableError } from '@omen/errors';
import type { AuditRecord } from '@omen/grpc';
import { createKafka, type AvroProducer } from '@omen/kafka';
import { LogBuffer, type ServiceContext } from '@omen/service';
import { auditEvent, auditRow } from './event.ts';

export const AUDIT_TOPIC = 'audit.events.v1';

/**
 * Applies the schema migrations under this trail's table name; the audit table (one column per
 * field of audit_event.avsc, a ReplacingMergeTree that only collapses a batch written twice) is
 * defined in @omen/clickhouse-schema.
 */
export async function ensureAuditTable(ch: ClickHouse, table: string): Promise<void> {
  await migrate(ch, { names: { audit_events: table } });
}

export interface AuditTrailOptions {
  service: string;
  /** Kafka producer once connected; undefined while connecting (writes then wait and retry). */
  producer?: () => AvroProducer | undefined;
  clickhouse?: { client: () => ClickHouse | undefined; table: string };
  topic?: string;
  maxBuffered: number;
  flushSize: number;
  flushIntervalMs: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  onDropped?: (n: number, reason: string) => void;
  onWritten?: (n: number) => void;
  onWriteError?: (err: unknown, info: { items: number; attempt: number; retryInMs: number | undefined }) => void;
}

export class AuditTrail {
  readonly #o: AuditTrailOptions;
  readonly #buffer: LogBuffer<AuditEvent>;

  constructor(options: AuditTrailOptions) {
    if (!options.producer && !options.clickhouse) throw new TypeError('an audit trail needs Kafka, ClickHouse or both');
    this.#o = options;
    this.#buffer = new LogBuffer<AuditEvent>({
      write: (events) => this.#write(events),
      maxBuffered: options.maxBuffered,
      flushSize: options.flushSize,
      flushIntervalMs: options.flushIntervalMs,
      retryMinMs: options.retryMinMs ?? 200,
      retryMaxMs: options.retryMaxMs ?? 30_000,
      ...(options.onWritten ? { onWritten: options.onWritten } : {}),
      ...(options.onDropped ? { onDropped: options.onDropped } : {}),
      ...(options.onWriteError ? { onWriteError: options.onWriteError } : {}),
    });
  }

  get buffered(): number {
    return this.#buffer.buffered;
  }

  /** The gRPC server's audit sink: O(1), never waits. */
  readonly record = (r: AuditRecord): void => {
    this.#buffer.push(auditEvent(this.#o.service, r));
  };

  /** Writes what is buffered for at most `deadlineMs`; the rest is counted as dropped. */
  close(deadlineMs: number): Promise<void> {
    return this.#buffer.close(deadlineMs);
  }

  async #write(events: AuditEvent[]): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if (this.#o.producer) {
      const producer = this.#o.producer();
      if (!producer) throw new UnavailableError("the audit trail's Kafka producer is not connected yet");
      writes.push(
        producer.send(
          this.#o.topic ?? AUDIT_TOPIC,
          events.map((e) => ({ key: e.repo_id, value: e, eventId: e.event_id, eventTime: e.event_time })),
        ),
      );
    }
    if (this.#o.clickhouse) {
      const client = this.#o.clickhouse.client();
      if (!client) throw new UnavailableError('the audit table in ClickHouse is not ready yet');
      writes.push(client.insert(this.#o.clickhouse.table, events.map(auditRow)));
    }
    // Both or neither count as written: a batch one sink refused is rewritten to both (idempotent by event id).
    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

export interface AuditTrailConfig {
  KAFKA_BROKERS?: readonly string[] | undefined;
  SCHEMA_REGISTRY_URL?: string | undefined;
  CLICKHOUSE_URL?: string | undefined;
  AUDIT_TABLE: string;
  AUDIT_MAX_BUFFERED: number;
  AUDIT_FLUSH_SIZE: number;
  AUDIT_FLUSH_INTERVAL: number;
}

/**
 * Starts a service's audit trail and makes it the gRPC server's audit sink. Kafka and ClickHouse
 * connect in the background (not required for readiness: records wait in the buffer). Without
 * either, audited calls are only logged, and a warning says so.
 */
export function startAuditTrail(ctx: ServiceContext<AuditTrailConfig>, service: string): AuditTrail | undefined {
  const { config, logger, metrics: m } = ctx;
  // Refused here rather than deep in the buffer, naming the variables.
  if (config.AUDIT_FLUSH_SIZE > config.AUDIT_MAX_BUFFERED) {
    throw new ConfigError(
      'AUDIT_FLUSH_SIZE',
      `≤ AUDIT_MAX_BUFFERED (${config.AUDIT_MAX_BUFFERED})`,
      String(config.AUDIT_FLUSH_SIZE),
    );
  }
  const brokers = config.KAFKA_BROKERS;
  const registryUrl = config.SCHEMA_REGISTRY_URL;
  const kafka =
    brokers && brokers.length > 0 && registryUrl
      ? createKafka({ brokers, clientId: `${service}-audit`, registryUrl, logger, metrics: m })
      : undefined;
  const clickhouse = config.CLICKHOUSE_URL ? createClickHouse({ url: config.CLICKHOUSE_URL }) : undefined;
  if (!kafka && !clickhouse) {
    logger.warn(
      'no KAFKA_BROKERS+SCHEMA_REGISTRY_URL and no CLICKHOUSE_URL: audited calls (admin actions, served predictions) are only logged',
    );
    return undefined;
  }
  let producer: AvroProducer | undefined;
  let tableReady = false;
  const dropped = m.counter(
    'omen_audit_events_dropped_total',
    'Audit records lost because the buffer to Kafka/ClickHouse was full, a sink refused them, or at shutdown.',
    ['reason'],
  );
  const written = m.counter('omen_audit_events_written_total', 'Audit records written to every configured sink.');
  const trail = new AuditTrail({
    service,
    ...(kafka ? { producer: () => producer } : {}),
    ...(clickhouse
      ? { clickhouse: { client: () => (tableReady ? clickhouse : undefined), table: config.AUDIT_TABLE } }
      : {}),
    maxBuffered: config.AUDIT_MAX_BUFFERED,
    flushSize: config.AUDIT_FLUSH_SIZE,
    flushIntervalMs: config.AUDIT_FLUSH_INTERVAL,
    onWritten: (n) => written.inc(n),
    onDropped: (n, reason) => {
      dropped.inc({ reason }, n);
      logger.warn({ dropped: n, reason }, 'audit records dropped (omen_audit_events_dropped_total)');
    },
    onWriteError: (err, info) => logger.warn({ err, ...info }, 'writing audit records failed; retrying'),
  });
  m.gauge('omen_audit_events_buffered', 'Audit records waiting for Kafka/ClickHouse.', [], (g) =>
    g.set(trail.buffered),
  );
  if (kafka) {
    ctx
      .dependency('kafka (audit)', () => kafka.producer({ schemas: { [AUDIT_TOPIC]: avroSchema('audit_event') } }), {
        required: false,
      })
      .then(
        (p) => (producer = p),
        () => undefined,
      );
  }
  if (clickhouse) {
    ctx
      .dependency('clickhouse (audit)', () => ensureAuditTable(clickhouse, config.AUDIT_TABLE), { required: false })
      .then(
        () => (tableReady = true),
        () => undefined,
      );
  }
  ctx.grpc.setAuditSink(trail.record);
  ctx.onShutdown(async () => {
    ctx.grpc.setAuditSink(undefined);
    await trail.close(5000);
    await kafka?.close();
    await clickhouse?.close();
  }, 'audit trail');
  return trail;
}
