import {
  LATENCY_BUCKETS,
  createMetrics,
  type Counter,
  type Gauge,
  type Histogram,
  type Metrics,
} from '@omen/telemetry';

/** The Prometheus series this package writes. */
export interface KafkaMetrics {
  lag: Gauge<'group' | 'topic' | 'partition'>;
  processed: Counter<'group' | 'topic'>;
  failed: Counter<'group' | 'topic' | 'code'>;
  dlq: Counter<'group' | 'topic' | 'code'>;
  handlingSeconds: Histogram<'group' | 'topic'>;
  skippedOffsets: Counter<'group' | 'topic' | 'partition'>;
  partitionStopped: Gauge<'group' | 'topic' | 'partition'>;
  produced: Counter<'topic'>;
  produceErrors: Counter<'topic' | 'code'>;
}

/**
 * The Kafka series in a service's metrics (get-or-create, so several clients and consumers in
 * one process share them); without one they go to a private registry.
 */
export function kafkaMetrics(
  metrics: Metrics = createMetrics({ service: 'kafka', defaultMetrics: false }),
): KafkaMetrics {
  return {
    lag: metrics.gauge(
      'omen_kafka_consumer_lag',
      'Records the group has not committed yet: partition high watermark minus committed offset',
      ['group', 'topic', 'partition'],
    ),
    processed: metrics.counter('omen_kafka_consumer_records_processed_total', 'Records the handler completed', [
      'group',
      'topic',
    ]),
    failed: metrics.counter(
      'omen_kafka_consumer_records_failed_total',
      'Failed handling attempts (retried ones included), by error code',
      ['group', 'topic', 'code'],
    ),
    dlq: metrics.counter(
      'omen_kafka_consumer_records_dlq_total',
      'Records sent to the dead-letter topic, by error code',
      ['group', 'topic', 'code'],
    ),
    handlingSeconds: metrics.histogram(
      'omen_kafka_consumer_handling_duration_seconds',
      'Time from fetching a record to its handler (or its DLQ send) settling, retries included',
      ['group', 'topic'],
      [...LATENCY_BUCKETS, 30, 60],
    ),
    skippedOffsets: metrics.counter(
      'omen_kafka_consumer_skipped_offsets_total',
      'Offsets deleted from the log before the group read them (an out-of-range fetch): records lost to it, counted when seen, whatever the gap policy',
      ['group', 'topic', 'partition'],
    ),
    partitionStopped: metrics.gauge(
      'omen_kafka_consumer_partition_stopped',
      '1 while the group holds the partition paused at a gap in its log (gap policy stop): nothing after the gap is consumed or committed',
      ['group', 'topic', 'partition'],
    ),
    produced: metrics.counter('omen_kafka_producer_records_total', 'Records the brokers acknowledged', ['topic']),
    produceErrors: metrics.counter('omen_kafka_producer_errors_total', 'Failed sends, by error code', [
      'topic',
      'code',
    ]),
  };
}
