// The served-predictions log: what gRPC clients were told (Predict, PredictBatch, PredictStream,
// KServe ModelInfer) goes to the same sink as stream mode — predictions.v1 and the ClickHouse
// predictions table — with source "served", so analysts see what CI bots and review tools got
// and the drift detector sees served traffic. Off the request path: a handler only pushes a
// reference into a bounded LogBuffer; records are built and written in batches later, retried
// on failure, and dropped oldest-first when the sink cannot keep up. Cached answers are not
// logged again: the computation that filled the cache was, under the same event id.
import { InvalidArgumentError, UnavailableError, isOmenError } from '@omen/errors';
import type { Prediction } from '@omen/contracts';
import type { Logger } from '@omen/telemetry';
import { LogBuffer, type DropReason } from '@omen/service';
import type { InferenceMetrics } from '../metrics.ts';
import { modelScores, type PredictContext, type ServedPrediction } from '../domain/prediction.ts';
import type { OnnxModel, RunOutput } from './onnx-session.ts';
import { inputsHash, servedEventId, type PredictionSink } from './predictions-sink.ts';

/** One ModelInfer call; its rows become one record each. */
interface InferCall {
  model: Pick<OnnxModel, 'name' | 'version' | 'width' | 'featureNames'>;
  x: Float32Array;
  out: RunOutput;
  at: number;
  latencyMs: number;
  traceId: string | undefined;
}

type Entry =
  | { kind: 'predict'; p: ServedPrediction; at: number; traceId: string | undefined }
  | { kind: 'infer'; call: InferCall; row: number };

export interface ServedLogOptions {
  /** The sink once connected; undefined until then (a write then fails and is retried). */
  sink: () => PredictionSink | undefined;
  /** Include the feature vector (INFERENCE_LOG_FEATURES). */
  logFeatures: boolean;
  logger: Logger;
  metrics?: InferenceMetrics | undefined;
  maxBuffered: number;
  flushSize: number;
  flushIntervalMs: number;
  retryMinMs: number;
  retryMaxMs: number;
}

/** Warnings about lost records at most this often: an outage would otherwise warn every flush. */
const DROP_WARN_EVERY_MS = 30_000;

export class ServedLog {
  readonly #o: ServedLogOptions;
  readonly #buffer: LogBuffer<Entry>;
  readonly #unwarned: Record<DropReason, number> = { overflow: 0, rejected: 0, shutdown: 0 };
  #lastWarn = 0;

  constructor(options: ServedLogOptions) {
    this.#o = options;
    const { metrics, logger } = options;
    this.#buffer = new LogBuffer<Entry>({
      write: (entries) => this.#write(entries),
      maxBuffered: options.maxBuffered,
      flushSize: options.flushSize,
      flushIntervalMs: options.flushIntervalMs,
      retryMinMs: options.retryMinMs,
      retryMaxMs: options.retryMaxMs,
      // A record the schema refuses fails the same way every time.
      retryable: (err) => !(isOmenError(err) && err.code === 'INVALID_ARGUMENT'),
      onWritten: (n) => metrics?.predictionLog.written.inc(n),
      onDropped: (n, reason) => {
        metrics?.predictionLog.dropped.inc({ reason }, n);
        this.#unwarned[reason] += n;
        this.#warnDrops(reason === 'shutdown');
      },
      onWriteError: (err, info) => {
        metrics?.predictionLog.writeErrors.inc();
        logger.warn(
          { err, ...info },
          info.retryInMs === undefined
            ? 'served predictions refused by the sink; dropped'
            : 'writing served predictions failed; retrying',
        );
      },
    });
    metrics?.predictionLog.observeBuffered(() => this.#buffer.buffered);
  }

  get buffered(): number {
    return this.#buffer.buffered;
  }

  /** Predictor.onPredictions: computed predictions of calls that answer a gRPC client. */
  readonly recordPredictions = (list: readonly ServedPrediction[], ctx: PredictContext): void => {
    if (!ctx.served) return;
    const at = Date.now();
    for (const p of list) this.#buffer.push({ kind: 'predict', p, at, traceId: ctx.traceId });
  };

  /** A ModelInfer answer: one record per row, built at flush time from these references. */
  recordInfer(
    model: InferCall['model'],
    x: Float32Array,
    rows: number,
    out: RunOutput,
    latencyMs: number,
    traceId: string | undefined,
  ): void {
    const call: InferCall = { model, x, out, at: Date.now(), latencyMs, traceId };
    for (let row = 0; row < rows; row++) this.#buffer.push({ kind: 'infer', call, row });
  }

  /** Writes what is buffered, for at most `deadlineMs`; the rest is counted as dropped. */
  close(deadlineMs: number): Promise<void> {
    return this.#buffer.close(deadlineMs);
  }

  async #write(entries: Entry[]): Promise<void> {
    const sink = this.#o.sink();
    if (!sink) throw new UnavailableError('the predictions sink (Kafka, ClickHouse) is not connected yet');
    let records: Prediction[];
    try {
      records = entries.map((e) => (e.kind === 'predict' ? this.#fromPredict(e) : this.#fromInfer(e.call, e.row)));
    } catch (err) {
      throw new InvalidArgumentError(
        `served predictions could not be turned into records: ${err instanceof Error ? err.message : String(err)}`,
        undefined,
        { cause: err },
      );
    }
    await sink.write(records);
  }

  #fromPredict(e: Extract<Entry, { kind: 'predict' }>): Prediction {
    const { p } = e;
    const r = p.response;
    const m = p.model.model;
    const inputs = inputsHash(p.row);
    // Features with no entity (a bare vector) are identified by their content.
    const anonymous = p.entityId === '';
    const entityId = anonymous ? inputs : p.entityId;
    return {
      event_id: servedEventId(p.repoId, entityId, m.name, m.version, inputs),
      event_time: e.at,
      repo_id: p.repoId,
      entity_type: anonymous ? 'features' : 'commit',
      entity_id: entityId,
      model_name: m.name,
      model_version: m.version,
      bug_probability: Number(r.bug_probability),
      scores: Object.fromEntries(Object.entries(r.scores ?? {}).map(([k, v]) => [k, Number(v)])),
      // What the client was told: its top_k, not more.
      contributions: (r.top_contributions ?? []).map((c) => ({
        feature: c.feature!,
        value: Number(c.value),
        contribution: Number(c.contribution),
      })),
      features: this.#o.logFeatures
        ? Object.fromEntries(m.featureNames.map((n, i) => [n, p.values[n] ?? p.row[i]!]))
        : null,
      feature_set: p.input === 'commit' ? m.featureSet.name : null,
      feature_set_version: p.input === 'commit' ? m.featureSet.version : null,
      experiment_id: null,
      arm: null,
      latency_ms: Number(r.latency_ms),
      trace_id: e.traceId ?? null,
      source: 'served',
    };
  }

  #fromInfer(call: InferCall, k: number): Prediction {
    const m = call.model;
    const row = call.x.subarray(k * m.width, (k + 1) * m.width);
    const inputs = inputsHash(row);
    const scores = modelScores(call.out, k);
    return {
      event_id: servedEventId('', inputs, m.name, m.version, inputs),
      event_time: call.at,
      repo_id: '',
      entity_type: 'features',
      entity_id: inputs,
      model_name: m.name,
      model_version: m.version,
      bug_probability: scores['bug_probability']!,
      scores,
      contributions: [],
      features: this.#o.logFeatures ? Object.fromEntries(m.featureNames.map((n, i) => [n, row[i]!])) : null,
      feature_set: null,
      feature_set_version: null,
      experiment_id: null,
      arm: null,
      latency_ms: call.latencyMs,
      trace_id: call.traceId ?? null,
      source: 'served',
    };
  }

  #warnDrops(now: boolean): void {
    const t = Date.now();
    if (!now && t - this.#lastWarn < DROP_WARN_EVERY_MS) return;
    const lost = { ...this.#unwarned };
    if (lost.overflow + lost.rejected + lost.shutdown === 0) return;
    this.#lastWarn = t;
    this.#unwarned.overflow = this.#unwarned.rejected = this.#unwarned.shutdown = 0;
    this.#o.logger.warn(
      { dropped: lost, buffered: this.#buffer.buffered },
      'served predictions dropped (omen_inference_prediction_log_dropped_total)',
    );
  }
}
