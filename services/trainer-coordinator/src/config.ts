import path from 'node:path';
import { Cron } from 'croner';
import { auditConfigSchema } from '@omen/audit';
import {
  natsUrl,
  bool,
  durationMs,
  enumOf,
  int,
  list,
  num,
  secret,
  str,
  url,
  type ConfigOf,
  type ConfigProblem,
} from '@omen/config';
import { repoRoot } from '@omen/contracts';
import type { BaseConfigShape } from '@omen/service';

/** `./scripts/omen services up` gives the third service these ports. */
export const TRAINER_PORTS = { grpcPort: 50053, metricsPort: 9463 } as const;

const TABLE = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, describe: 'a plain table name' };

function isCron(s: string): boolean {
  try {
    new Cron(s, { paused: true, timezone: 'UTC' }).stop();
    return true;
  } catch {
    return false;
  }
}

/**
 * Everything the trainer-coordinator reads from its environment, besides the base service
 * variables (GRPC_PORT defaults to 50053, METRICS_PORT to 9463). Durations take `500ms`, `30s`,
 * `2m`, `1h` or plain milliseconds.
 */
export const trainerConfigSchema = {
  /** The model registry directory (metadata; artifacts too with the local store). @default <repo>/.omen/registry */
  TRAINER_REGISTRY_DIR: str({ default: path.join(repoRoot, '.omen', 'registry') }),
  /** Where runs are kept (one JSON file each). @default <repo>/.omen/trainer */
  TRAINER_STATE_DIR: str({ default: path.join(repoRoot, '.omen', 'trainer') }),
  /**
   * The only directory ImportModel's artifact_path may name a file in (symlinks resolved, so a
   * link pointing out is refused too); anything else is refused with one message that does not
   * say whether the file exists. Bytes (onnx_model) need no directory. @default <repo>/.omen/import
   */
  TRAINER_IMPORT_DIR: str({ default: path.join(repoRoot, '.omen', 'import') }),
  /**
   * The only directory StartRun's `row_source csv:<path>` may name a file in (absolute, or
   * relative to it; symlinks resolved), for the same reason: one refusal for every other path,
   * so a run cannot probe or read the trainer's disk. @default <repo>/.omen/import
   */
  TRAINER_CSV_DIR: str({ default: path.join(repoRoot, '.omen', 'import') }),
  /** `local` (blobs under the registry directory) or `s3` (TRAINER_S3_*). @default local */
  TRAINER_ARTIFACT_STORE: enumOf(['local', 's3'], { default: 'local' }),
  TRAINER_S3_ENDPOINT: url({ protocols: ['http', 'https'] }).optional(),
  TRAINER_S3_BUCKET: str().optional(),
  /** @default us-east-1 */
  TRAINER_S3_REGION: str({ default: 'us-east-1' }),
  /** Key prefix inside the bucket. @default omen/registry/ */
  TRAINER_S3_PREFIX: str({ default: 'omen/registry/' }),
  TRAINER_S3_ACCESS_KEY_ID: str().optional(),
  TRAINER_S3_SECRET_ACCESS_KEY: secret().optional(),
  /** Path-style URLs (MinIO and most S3-compatible stores). @default true */
  TRAINER_S3_PATH_STYLE: bool({ default: true }),
  /**
   * Largest piece of an artifact in one GetArtifact message, bytes (1 KiB to 1 MiB): well under
   * gRPC's default 4 MiB receive limit, and small enough that flow control paces the transfer.
   * @default 1048576
   */
  TRAINER_ARTIFACT_CHUNK_BYTES: int({ min: 1024, max: 1_048_576, default: 1_048_576 }),

  /** The offline store: training sets, and the registry mirror (model_versions, model_alias_events). */
  CLICKHOUSE_URL: url({ protocols: ['http', 'https'] }).optional(),
  /** The featurizer's feature table. @default commit_features */
  TRAINER_FEATURES_TABLE: str({ default: 'commit_features', ...TABLE }),
  /** The featurizer's label table (label_known_at_ms). @default commit_labels */
  TRAINER_LABELS_TABLE: str({ default: 'commit_labels', ...TABLE }),
  /** @default model_versions */
  TRAINER_MIRROR_VERSIONS_TABLE: str({ default: 'model_versions', ...TABLE }),
  /** @default model_alias_events */
  TRAINER_MIRROR_ALIAS_EVENTS_TABLE: str({ default: 'model_alias_events', ...TABLE }),

  /** Control plane: model.promoted / model.rolledback, gate alerts, drift triggers. */
  NATS_URL: natsUrl().optional(),
  /** Where a gate refusal is announced. @default trainer.alert */
  TRAINER_ALERT_SUBJECT: str({ default: 'trainer.alert' }),
  /** A drift alert here (JSON with "model") triggers a run of that model. @default drift.alert */
  TRAINER_DRIFT_SUBJECT: str({ default: 'drift.alert' }),

  /** Model a run without model_name trains. @default jit-defect */
  TRAINER_DEFAULT_MODEL: str({ default: 'jit-defect' }),
  /** @default jit_change_metrics */
  TRAINER_DEFAULT_FEATURE_SET: str({ default: 'jit_change_metrics' }),
  /** auto (per run: LApredict, LR, GBDT or their blend, whichever wins on the validation slice), logistic, gbdt or ensemble. @default auto */
  TRAINER_DEFAULT_ALGORITHM: str({ default: 'auto' }),
  /** Newest share of the rows held out as the test set. @default 0.2 */
  TRAINER_TEST_FRACTION: num({ min: 0.01, max: 0.9, default: 0.2 }),
  /** Time between the last training row and the first test row (labels need time to arrive). @default 0 */
  TRAINER_GAP: durationMs({ default: 0 }),
  /** Runs with fewer training rows fail. @default 100 */
  TRAINER_MIN_TRAIN_ROWS: int({ min: 2, default: 100 }),
  /** Runs training at once; later ones wait in PENDING. @default 1 */
  TRAINER_MAX_CONCURRENT_RUNS: int({ min: 1, max: 16, default: 1 }),
  /** V8 old-space limit of a training worker, MiB; 0 = Node's default. @default 0 */
  TRAINER_WORKER_MAX_OLD_GEN_MB: int({ min: 0, max: 65_536, default: 0 }),

  /** Metric the gate compares on the shared holdout: auc, pr_auc or brier. @default auc */
  TRAINER_GATE_METRIC: enumOf(['auc', 'pr_auc', 'brier'], { default: 'auc' }),
  /** How much a candidate must beat the champion by. @default 0.005 */
  TRAINER_GATE_MARGIN: num({ min: 0, max: 1, default: 0.005 }),
  /** Holdout positives below which the gate refuses (the comparison would be noise). @default 10 */
  TRAINER_GATE_MIN_TEST_POSITIVES: int({ min: 0, default: 10 }),
  /** Promote a version that passed the gate when the request does not say (automatic triggers). @default true */
  TRAINER_AUTO_PROMOTE: bool({ default: true }),

  /** Cron expression (UTC, 5 or 6 fields) for scheduled runs of the default model; unset = none. */
  TRAINER_SCHEDULE: str({ describe: 'a cron expression such as "0 3 * * 1"', pattern: /\S/ }).optional(),
  /** Start a run once this many new positive labels arrived since the last run's cutoff; 0 = off. @default 0 */
  TRAINER_TRIGGER_NEW_LABELS: int({ min: 0, default: 0 }),
  /** How often new labels are counted. @default 5m */
  TRAINER_LABEL_POLL: durationMs({ minMs: 1000, default: '5m' }),
  /** Start a run on a drift alert (TRAINER_DRIFT_SUBJECT). @default true */
  TRAINER_TRIGGER_DRIFT: bool({ default: true }),
  /** After a run of a model starts, automatic triggers for it wait this long. @default 6h */
  TRAINER_COOLDOWN: durationMs({ default: '6h' }),

  /** Recorded as each version's code version; unset = `git rev-parse HEAD` of the checkout. */
  TRAINER_CODE_VERSION: str().optional(),

  /** Only for the audit trail (audit.events.v1): who promoted, rolled back, imported, trained. Unset: audit rows go to ClickHouse only. */
  KAFKA_BROKERS: list({ item: { describe: 'host:port', test: (s) => /^[^\s:]+:\d{1,5}$/.test(s) } }).optional(),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }).optional(),
  ...auditConfigSchema,
};

export type TrainerConfig = ConfigOf<typeof trainerConfigSchema & BaseConfigShape>;

/** The cross-variable rules the per-variable schema cannot check; empty when the config is fine. */
export function configProblems(config: TrainerConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.TRAINER_SCHEDULE !== undefined && !isCron(config.TRAINER_SCHEDULE)) {
    problems.push({
      variable: 'TRAINER_SCHEDULE',
      expected: 'a cron expression such as "0 3 * * 1" (UTC)',
      got: JSON.stringify(config.TRAINER_SCHEDULE),
    });
  }
  if (config.TRAINER_ARTIFACT_STORE === 's3') {
    for (const k of [
      'TRAINER_S3_ENDPOINT',
      'TRAINER_S3_BUCKET',
      'TRAINER_S3_ACCESS_KEY_ID',
      'TRAINER_S3_SECRET_ACCESS_KEY',
    ] as const) {
      if (config[k] === undefined)
        problems.push({ variable: k, expected: 'a value (required when TRAINER_ARTIFACT_STORE=s3)', got: 'nothing' });
    }
  }
  if (config.TRAINER_TRIGGER_NEW_LABELS > 0 && config.CLICKHOUSE_URL === undefined) {
    problems.push({
      variable: 'CLICKHOUSE_URL',
      expected: 'a URL (TRAINER_TRIGGER_NEW_LABELS counts labels there)',
      got: 'nothing',
    });
  }
  return problems;
}
