import path from 'node:path';
import { auditConfigSchema } from '@omen/audit';
import { redisUrl, natsUrl, bool, durationMs, enumOf, int, list, secret, str, url, type ConfigOf } from '@omen/config';
import { OFFSET_GAP_POLICIES } from '@omen/kafka';
import { repoRoot } from '@omen/contracts';
import type { BaseConfigShape } from '@omen/service';
import { inferenceHttpConfigSchema } from './server/http-config.ts';

const positiveInts = (describe: string) => ({ describe, test: (s: string) => /^\d+$/.test(s) && Number(s) >= 1 });

/**
 * Everything inference reads from its environment, besides the base service variables
 * (GRPC_PORT defaults to 50054 here). Durations take `500ms`, `30s`, `2m` or plain milliseconds.
 */
export const inferenceConfigSchema = {
  /**
   * The model registry directory (content-addressed artifacts), read when INFERENCE_TRAINER_ADDR
   * is not set (one machine: the trainer's own directory). @default <repo>/.omen/registry
   */
  INFERENCE_REGISTRY_DIR: str({ default: path.join(repoRoot, '.omen', 'registry') }),
  /**
   * The trainer-coordinator's gRPC address (`host:port`). When set, models, aliases and artifacts
   * come through its read RPCs (GetArtifact, sha256-checked here) instead of a directory, so
   * replicas need no shared volume.
   */
  INFERENCE_TRAINER_ADDR: str({ pattern: /^[^\s:]+:\d{1,5}$/, describe: 'host:port' }).optional(),
  /** Token for the trainer's reads; only a trainer started with GRPC_REQUIRE_AUTH=true needs it. */
  INFERENCE_TRAINER_TOKEN: secret({ minLength: 16 }).optional(),
  /**
   * A directory where the artifacts, records and aliases the model source answered are kept
   * (content-addressed, sha256-checked on every read), so a replica that starts while the trainer
   * is unavailable loads the versions last seen instead of staying NOT_SERVING. Unset: no cache.
   */
  INFERENCE_ARTIFACT_CACHE_DIR: str().optional(),
  /** Deadline of one whole artifact transfer from the trainer. @default 120s */
  INFERENCE_TRAINER_TIMEOUT: durationMs({ minMs: 1000, default: '120s' }),
  /** Models served, by registry name. @default jit-defect */
  INFERENCE_MODELS: list({ default: ['jit-defect'] }),
  /** Model a request without model_name gets. @default jit-defect */
  INFERENCE_DEFAULT_MODEL: str({ default: 'jit-defect' }),
  /** Registry aliases loaded per model; the first is what an empty model_version means. @default champion,challenger */
  INFERENCE_ALIASES: list({ default: ['champion', 'challenger'] }),
  /** How often the registry's aliases are re-read (a missed NATS event heals); 0 = never. @default 60s */
  INFERENCE_REGISTRY_POLL: durationMs({ default: '60s' }),

  /** Execution providers in order of preference: cuda, cpu. @default cpu */
  INFERENCE_EXECUTION_PROVIDERS: list({
    default: ['cpu'],
    item: { describe: '"cuda" or "cpu"', test: (s) => s === 'cuda' || s === 'cpu' },
  }),
  /** @default 0 */
  INFERENCE_CUDA_DEVICE_ID: int({ min: 0, max: 64, default: 0 }),
  /**
   * Threads inside one ONNX operator; 0 = one per core. @default 1 (a tree ensemble over a
   * small batch gains nothing from more, and the event loop needs the other core)
   */
  INFERENCE_INTRA_OP_THREADS: int({ min: 0, max: 256, default: 1 }),
  /** @default 1 */
  INFERENCE_INTER_OP_THREADS: int({ min: 0, max: 256, default: 1 }),
  /** Let ONNX Runtime's pool threads spin between runs (dedicated cores only). @default false */
  INFERENCE_ORT_SPINNING: bool({ default: false }),
  /**
   * Worker threads per model version, each with its own session; batches run there, beside the
   * main thread's gRPC work. 0 runs them on the main thread (one batch at a time). @default 0
   */
  INFERENCE_SESSION_WORKERS: int({ min: 0, max: 64, default: 0 }),

  /** Most rows the batcher combines into one session.run. @default 64 */
  INFERENCE_MAX_BATCH_SIZE: int({ min: 1, max: 65_536, default: 64 }),
  /** Longest a request waits for its batch to fill, µs. @default 500 */
  INFERENCE_MAX_QUEUE_DELAY_US: int({ min: 0, max: 10_000_000, default: 500 }),
  /** Batch sizes sent as soon as they form (each ≤ INFERENCE_MAX_BATCH_SIZE). @default none */
  INFERENCE_PREFERRED_BATCH_SIZES: list({ default: [], minItems: 0, item: positiveInts('a positive integer') }),
  /** Rows that may wait per model version before requests are refused with RESOURCE_EXHAUSTED. @default 4096 */
  INFERENCE_MAX_QUEUE_ROWS: int({ min: 1, max: 10_000_000, default: 4096 }),
  /** Most rows in one ModelInfer. @default 4096 */
  INFERENCE_MAX_REQUEST_ROWS: int({ min: 1, max: 1_000_000, default: 4096 }),
  /** Most requests in one PredictBatch/PredictStream. @default 1024 */
  INFERENCE_MAX_BATCH_REQUESTS: int({ min: 1, max: 100_000, default: 1024 }),

  /** Online features and the prediction cache; without it only inline features are served. */
  REDIS_URL: redisUrl().optional(),
  /** Longest a Redis command may take before the request fails with UNAVAILABLE. @default 250ms */
  INFERENCE_REDIS_TIMEOUT: durationMs({ minMs: 1, maxMs: 60_000, default: '250ms' }),
  /** Prediction cache TTL; 0 turns the cache off. @default 1h */
  INFERENCE_CACHE_TTL: durationMs({ default: '1h' }),
  /** Key prefix of the featurizer's online store. @default omen:features */
  INFERENCE_FEATURE_PREFIX: str({ default: 'omen:features' }),
  /** Key prefix of the prediction cache. @default omen:predictions */
  INFERENCE_CACHE_PREFIX: str({ default: 'omen:predictions' }),

  /** The featurizer (host:port), asked for a commit's features when Redis has none. Unset: such requests get NOT_FOUND. */
  FEATURIZER_ADDR: str({ pattern: /^[^\s:]+:\d{1,5}$/, describe: 'host:port' }).optional(),
  /** Token for GetFeatures; only a featurizer started with GRPC_REQUIRE_AUTH=true needs it. */
  INFERENCE_FEATURIZER_TOKEN: secret({ minLength: 16 }).optional(),
  /** Longest wait for the featurizer's answer. @default 500ms */
  INFERENCE_FEATURIZER_TIMEOUT: durationMs({ minMs: 1, maxMs: 60_000, default: '500ms' }),

  /** Control plane: model.promoted / model.rolledback. Without it only the registry poll swaps models. */
  NATS_URL: natsUrl().optional(),

  /** Stream mode: consume features, write predictions. @default false */
  INFERENCE_STREAM: bool({ default: false }),
  KAFKA_BROKERS: list({ item: { describe: 'host:port', test: (s) => /^[^\s:]+:\d{1,5}$/.test(s) } }).optional(),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }).optional(),
  CLICKHOUSE_URL: url({ protocols: ['http', 'https'] }).optional(),
  /** @default inference (deploy/base/inference.yaml's KEDA trigger reads this group's lag) */
  INFERENCE_STREAM_GROUP: str({ default: 'inference' }),
  /**
   * When feature records were deleted before the stream scored them: `skip` goes on (each
   * prediction stands alone; the lost records are counted in omen_kafka_consumer_skipped_offsets_total
   * and logged), `stop` pauses the partition and reports NOT_SERVING. @default skip
   */
  INFERENCE_STREAM_OFFSET_GAP_POLICY: enumOf(OFFSET_GAP_POLICIES, { default: 'skip' }),
  /** @default features.commits.v1 */
  INFERENCE_TOPIC_FEATURES: str({ default: 'features.commits.v1' }),
  /** @default predictions.v1 */
  INFERENCE_TOPIC_PREDICTIONS: str({ default: 'predictions.v1' }),
  /** @default predictions */
  INFERENCE_PREDICTIONS_TABLE: str({
    default: 'predictions',
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    describe: 'a plain table name',
  }),
  /** Contributions kept per stream prediction. @default 5 */
  INFERENCE_STREAM_TOP_K: int({ min: 0, max: 100, default: 5 }),
  /** Include the input feature vector in predictions.v1 (drift and skew checks read it). @default true */
  INFERENCE_LOG_FEATURES: bool({ default: true }),
  /** How often the consumer lag gauge is refreshed. @default 5s */
  INFERENCE_LAG_INTERVAL: durationMs({ minMs: 0, default: '5s' }),

  /**
   * Record every prediction answered over gRPC (Predict, PredictBatch, PredictStream, ModelInfer)
   * in predictions.v1 and the ClickHouse table, source "served", through an in-process buffer:
   * requests never wait for it. Needs KAFKA_BROKERS + SCHEMA_REGISTRY_URL and/or CLICKHOUSE_URL;
   * without either it is off. @default true
   */
  INFERENCE_LOG_SERVED: bool({ default: true }),
  /** Longest a served prediction waits in the buffer before a write. @default 1s */
  INFERENCE_LOG_FLUSH_INTERVAL: durationMs({ minMs: 1, maxMs: 600_000, default: '1s' }),
  /** Records per write; this many waiting start a write before the interval. @default 500 */
  INFERENCE_LOG_FLUSH_SIZE: int({ min: 1, max: 100_000, default: 500 }),
  /** Most records buffered (≥ INFERENCE_LOG_FLUSH_SIZE); beyond it the oldest are dropped and counted. @default 10000 */
  INFERENCE_LOG_MAX_BUFFERED: int({ min: 1, max: 10_000_000, default: 10_000 }),
  /** First retry delay after a failed write; doubles per failure. @default 200ms */
  INFERENCE_LOG_RETRY_MIN: durationMs({ minMs: 1, maxMs: 600_000, default: '200ms' }),
  /** Longest retry delay (≥ INFERENCE_LOG_RETRY_MIN). @default 30s */
  INFERENCE_LOG_RETRY_MAX: durationMs({ minMs: 1, maxMs: 3_600_000, default: '30s' }),

  /** Every served prediction's caller, model and inputs hash → audit.events.v1 and ClickHouse (AUDIT_TABLE). */
  ...auditConfigSchema,
  /** The HTTP/JSON surface: INFERENCE_HTTP_PORT and its limits (server/http-config.ts). */
  ...inferenceHttpConfigSchema,
};

export type InferenceConfig = ConfigOf<typeof inferenceConfigSchema & BaseConfigShape>;

/** Where the service listens by default (the local mesh's block: ingest 50051 … inference 50054). */
export const INFERENCE_PORTS = { grpcPort: 50054, metricsPort: 9464 } as const;
