import { auditConfigSchema } from '@omen/audit';
import { redisUrl, natsUrl, bool, durationMs, int, list, num, secret, str, url, type ConfigOf } from '@omen/config';
import type { BaseConfigShape } from '@omen/service';

const hostPort = { pattern: /^[^\s:]+:\d{1,5}$/, describe: 'host:port' } as const;

/**
 * Everything ab-router reads from its environment, besides the base service variables
 * (GRPC_PORT defaults to 50056 here, METRICS_PORT to 9466). Durations take `500ms`, `30s`,
 * `2m` or plain milliseconds.
 */
export const abRouterConfigSchema = {
  /** Experiments and their statistics, shared by every replica. Required: without it two replicas would disagree. */
  REDIS_URL: redisUrl(),
  /** Key prefix in Redis. @default omen:abrouter */
  ABROUTER_KEY_PREFIX: str({ default: 'omen:abrouter' }),
  /** Longest a Redis command may take. @default 500ms */
  ABROUTER_REDIS_TIMEOUT: durationMs({ minMs: 1, maxMs: 60_000, default: '500ms' }),
  /** The inference service (host:port) Predict forwards to. @default 127.0.0.1:50054 */
  INFERENCE_ADDR: str({ ...hostPort, default: '127.0.0.1:50054' }),
  /** Token for inference, only when it runs with GRPC_REQUIRE_AUTH=true. */
  INFERENCE_TOKEN: secret({ minLength: 16 }).optional(),
  /** Longest a forwarded Predict may take (the caller's own deadline, if shorter, wins). @default 5s */
  ABROUTER_INFERENCE_TIMEOUT: durationMs({ minMs: 1, maxMs: 600_000, default: '5s' }),
  /** Model a request without model_name is for. @default jit-defect */
  ABROUTER_DEFAULT_MODEL: str({ default: 'jit-defect' }),
  /** Control plane: experiment changes are announced and heard here. Without it replicas converge on ABROUTER_REFRESH only. */
  NATS_URL: natsUrl().optional(),
  /** @default experiment.changed */
  ABROUTER_NATS_SUBJECT: str({ default: 'experiment.changed' }),
  /** How often every experiment is re-read from Redis (a missed NATS message heals). @default 5s */
  ABROUTER_REFRESH: durationMs({ minMs: 100, maxMs: 3_600_000, default: '5s' }),
  /** How often outcomes are added to Redis and guardrails evaluated. @default 1s */
  ABROUTER_STATS_FLUSH: durationMs({ minMs: 10, maxMs: 600_000, default: '1s' }),
  /** experiments.events.v1 goes here; without KAFKA_BROKERS + SCHEMA_REGISTRY_URL no events are written. */
  KAFKA_BROKERS: list({ item: { describe: 'host:port', test: (s) => hostPort.pattern.test(s) } }).optional(),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }).optional(),
  /** @default experiments.events.v1 */
  ABROUTER_TOPIC_EVENTS: str({ default: 'experiments.events.v1' }),
  /** Experiment events also go to a ClickHouse table here, for analysts' SQL. Without it only Kafka gets them. */
  CLICKHOUSE_URL: url({ protocols: ['http', 'https'] }).optional(),
  /** Table for experiment events, created at startup when missing. @default experiment_events */
  ABROUTER_EVENTS_TABLE: str({
    default: 'experiment_events',
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    describe: 'a plain table name',
  }),
  /** Most events waiting for Kafka / ClickHouse; beyond it the oldest are dropped and counted. @default 10000 */
  ABROUTER_EVENTS_MAX_BUFFERED: int({ min: 1, max: 10_000_000, default: 10_000 }),
  /** Events per batch (one Kafka send, one ClickHouse insert). @default 500 */
  ABROUTER_EVENTS_FLUSH_SIZE: int({ min: 1, max: 100_000, default: 500 }),
  /** How often waiting events are sent. @default 200ms */
  ABROUTER_EVENTS_FLUSH_INTERVAL: durationMs({ minMs: 1, maxMs: 600_000, default: '200ms' }),
  /** Longest delay between retries of a failed send. @default 30s */
  ABROUTER_EVENTS_RETRY_MAX: durationMs({ minMs: 1, maxMs: 3_600_000, default: '30s' }),

  /** Ground truth for canaries: labels are consumed from here (needs Kafka and ClickHouse). @default labels.commits.v1 */
  ABROUTER_LABELS_TOPIC: str({ default: 'labels.commits.v1' }),
  /** Consumer group of the labels consumer; its DLQ is `<topic>.dlq.<group>`. @default ab-router (the DLQ topics.yaml declares: labels.commits.v1.dlq.ab-router) */
  ABROUTER_LABELS_GROUP: str({ default: 'ab-router' }),
  /** ClickHouse table of consumed labels. @default experiment_labels */
  ABROUTER_LABELS_TABLE: str({
    default: 'experiment_labels',
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    describe: 'a plain table name',
  }),
  /** ClickHouse table of every canary evaluation's per-arm metrics. @default experiment_outcomes */
  ABROUTER_OUTCOMES_TABLE: str({
    default: 'experiment_outcomes',
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    describe: 'a plain table name',
  }),
  /** A served prediction counts for ground-truth metrics this long after it was served (a canary may set its own). @default 30d */
  ABROUTER_LABEL_MATURITY: durationMs({ minMs: 0, maxMs: 3650 * 86_400_000, default: '30d' }),
  /** How often running canaries are evaluated (one replica at a time). @default 10s */
  ABROUTER_EVALUATE_INTERVAL: durationMs({ minMs: 50, maxMs: 3_600_000, default: '10s' }),
  /** The trainer (host:port) whose Promote a winning canary calls. @default 127.0.0.1:50053 */
  TRAINER_ADDR: str({ ...hostPort, default: '127.0.0.1:50053' }),
  /**
   * Start a canary when the trainer makes a new version its model's challenger (model.promoted
   * with alias "challenger": a run that passed the gate without auto-promotion, e.g. one a drift
   * alert started). Needs NATS_URL. @default false
   */
  ABROUTER_AUTO_CANARY: bool({ default: false }),
  /** Subject of the trainer's alias announcements. @default model.promoted */
  ABROUTER_MODEL_SUBJECT: str({ default: 'model.promoted' }),
  /** Automatic canaries: challenger shares per stage, comma-separated. @default 0.05,0.25,0.5 */
  ABROUTER_AUTO_CANARY_RAMP: list({
    item: { describe: 'a share in (0, 1)', test: (x) => Number(x) > 0 && Number(x) < 1 },
    default: ['0.05', '0.25', '0.5'],
  }),
  /**
   * Automatic canaries: the smallest difference of the primary metric (Brier) worth detecting. It
   * sizes the fixed-horizon plan shown at creation and tunes the confidence sequence to be tightest
   * at that plan's total (N*); any value keeps the sequence valid at every look. @default 0.01
   */
  ABROUTER_AUTO_CANARY_MDE: num({ min: 1e-6, max: 1, default: 0.01 }),
  /** Automatic canaries: randomisation unit. @default commit */
  ABROUTER_AUTO_CANARY_UNIT: str({ default: 'commit', pattern: /^(repo|commit)$/, describe: 'repo or commit' }),
  /** Token with the admin role for the trainer's Promote; ADMIN_TOKEN when unset. */
  TRAINER_TOKEN: secret({ minLength: 16 }).optional(),

  /** Experiment changes and routed predictions, with their caller → audit.events.v1 and ClickHouse (AUDIT_TABLE). */
  ...auditConfigSchema,
};

export type AbRouterConfig = ConfigOf<typeof abRouterConfigSchema & BaseConfigShape>;

/** The local mesh's block: ingest 50051 … ab-router 50056 (packages/cli/src/local-services.ts). */
export const ABROUTER_PORTS = { grpcPort: 50056, metricsPort: 9466 } as const;

/** Cross-variable rules the schema cannot say alone. */
export function configProblems(config: AbRouterConfig): { variable: string; expected: string; got: string }[] {
  const problems: { variable: string; expected: string; got: string }[] = [];
  if (Boolean(config.KAFKA_BROKERS) !== Boolean(config.SCHEMA_REGISTRY_URL)) {
    problems.push({
      variable: config.KAFKA_BROKERS ? 'SCHEMA_REGISTRY_URL' : 'KAFKA_BROKERS',
      expected: 'set together with the other (experiment events need both)',
      got: '<unset>',
    });
  }
  if (config.ABROUTER_EVENTS_FLUSH_SIZE > config.ABROUTER_EVENTS_MAX_BUFFERED) {
    problems.push({
      variable: 'ABROUTER_EVENTS_FLUSH_SIZE',
      expected: `≤ ABROUTER_EVENTS_MAX_BUFFERED (${config.ABROUTER_EVENTS_MAX_BUFFERED})`,
      got: String(config.ABROUTER_EVENTS_FLUSH_SIZE),
    });
  }
  return problems;
}
