import type { Counter, Gauge, Histogram, Metrics } from '@omen/telemetry';

/** Sub-millisecond resolution where batching and compute live, out to the slow tail. */
const FINE_LATENCY = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export interface InferenceMetrics {
  /** Whole request inside the service (one row or a PredictBatch), by API and outcome. */
  requestDuration: Histogram<'api' | 'code'>;
  /** Time a request waited in the batcher queue. */
  queueDuration: Histogram<'model'>;
  /** session.run wall time per batch. */
  computeDuration: Histogram<'model'>;
  batchSize: Histogram<'model'>;
  /** Requests refused because the queue was full. */
  shed: Counter<'model'>;
  /** load, swap, load_failed, retire, per model/version/alias. */
  modelEvents: Counter<'model' | 'version' | 'alias' | 'event'>;
  /** 1 per loaded (model, version, alias, execution provider). */
  modelInfo: Gauge<'model' | 'version' | 'alias' | 'provider'>;
  /** Counts one prediction-cache lookup (omen_inference_cache_lookups_total, omen_inference_cache_hit_ratio). */
  cacheLookup(result: 'hit' | 'miss' | 'error', n?: number): void;
  /** Predictions written by stream mode, by outcome. */
  streamPredictions: Counter<'outcome'>;
  /** The served-predictions log (src/adapters/served-log.ts). */
  predictionLog: {
    written: Counter;
    /** overflow (buffer full: the oldest went), rejected (the sink refused the batch for good), shutdown (unwritten at the deadline). */
    dropped: Counter<'reason'>;
    /** Failed write attempts (each is retried unless rejected). */
    writeErrors: Counter;
    /** Where omen_inference_prediction_log_buffered reads its value at scrape time. */
    observeBuffered(read: () => number): void;
  };
}

export function inferenceMetrics(m: Metrics): InferenceMetrics {
  const cacheLookups = m.counter<'result'>(
    'omen_inference_cache_lookups_total',
    'Prediction cache lookups by result (hit, miss, error).',
    ['result'],
  );
  let hits = 0;
  let misses = 0;
  m.gauge('omen_inference_cache_hit_ratio', 'Prediction cache hits / (hits + misses) since start.', [], (g) => {
    g.set(hits + misses === 0 ? 0 : hits / (hits + misses));
  });
  let buffered: () => number = () => 0;
  m.gauge(
    'omen_inference_prediction_log_buffered',
    'Served predictions waiting for (or in) a write to predictions.v1 and ClickHouse.',
    [],
    (g) => {
      g.set(buffered());
    },
  );
  return {
    requestDuration: m.histogram(
      'omen_inference_request_duration_seconds',
      'Time to answer one request inside the service, by API and gRPC code.',
      ['api', 'code'],
      FINE_LATENCY,
    ),
    queueDuration: m.histogram(
      'omen_inference_queue_duration_seconds',
      'Time a request waited in the dynamic batcher before its batch ran.',
      ['model'],
      FINE_LATENCY,
    ),
    computeDuration: m.histogram(
      'omen_inference_compute_duration_seconds',
      'ONNX Runtime session.run time per batch.',
      ['model'],
      FINE_LATENCY,
    ),
    batchSize: m.histogram('omen_inference_batch_size', 'Rows per batch sent to ONNX Runtime.', ['model'], BATCH_SIZES),
    shed: m.counter(
      'omen_inference_shed_total',
      'Requests refused with RESOURCE_EXHAUSTED because the batch queue was full.',
      ['model'],
    ),
    modelEvents: m.counter(
      'omen_inference_model_events_total',
      'Model lifecycle events: load, swap, load_failed, retire.',
      ['model', 'version', 'alias', 'event'],
    ),
    modelInfo: m.gauge(
      'omen_inference_model_info',
      '1 for each loaded model version, with its alias and the execution provider it really runs on (cpu for graphs without CUDA kernels, whatever is configured).',
      ['model', 'version', 'alias', 'provider'],
    ),
    cacheLookup(result, n = 1) {
      if (result === 'hit') hits += n;
      if (result === 'miss') misses += n;
      cacheLookups.inc({ result }, n);
    },
    streamPredictions: m.counter(
      'omen_inference_stream_predictions_total',
      'Stream-mode predictions by outcome (written, skipped).',
      ['outcome'],
    ),
    predictionLog: {
      written: m.counter(
        'omen_inference_prediction_log_written_total',
        'Served predictions written to predictions.v1 and ClickHouse.',
      ),
      dropped: m.counter(
        'omen_inference_prediction_log_dropped_total',
        'Served predictions never written, by reason (overflow, rejected, shutdown).',
        ['reason'],
      ),
      writeErrors: m.counter(
        'omen_inference_prediction_log_write_errors_total',
        'Failed writes of served-prediction batches (retried unless rejected).',
      ),
      observeBuffered(read) {
        buffered = read;
      },
    },
  };
}
