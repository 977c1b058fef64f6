import {
  redisUrl,
  bool,
  durationMs,
  enumOf,
  int,
  list,
  str,
  url,
  type ConfigOf,
  type ConfigProblem,
} from '@omen/config';
import { OFFSET_GAP_POLICIES } from '@omen/kafka';
import type { BaseConfigShape } from '@omen/service';
import { DEFAULT_BLAME_WINDOW, DEFAULT_RETENTION } from './domain/retention.ts';

/** `./scripts/omen services up` gives the second service these ports. */
export const FEATURIZER_PORTS = { grpcPort: 50052, metricsPort: 9462 } as const;

/**
 * What the featurizer reads from its environment besides the variables every service reads
 * (@omen/service baseConfigSchema: GRPC_HOST/PORT, METRICS_HOST/PORT, LOG_LEVEL, ...).
 */
export const featurizerConfigSchema = {
  KAFKA_BROKERS: list({ item: { describe: 'host:port', test: (s) => /^[^\s:]+:\d{1,5}$/.test(s) } }),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }),
  CLICKHOUSE_URL: url({ protocols: ['http', 'https'] }),
  /** @default default */
  CLICKHOUSE_DATABASE: str({ default: 'default' }),
  REDIS_URL: redisUrl(),

  /**
   * Longest wait for each store read of GetFeatures (Redis, then ClickHouse) before it answers
   * UNAVAILABLE: a stalled engine must not hold the caller (inference asks with a 500 ms deadline).
   * @default 1s
   */
  FEATURIZER_LOOKUP_TIMEOUT: durationMs({ minMs: 10, maxMs: 60_000, default: 1_000 }),

  /** Consumer group; also names the DLQs `<topic>.dlq.<group>`. @default featurizer */
  FEATURIZER_GROUP: str({ default: 'featurizer' }),
  /** @default scm.commits.v1 */
  FEATURIZER_TOPIC_COMMITS: str({ default: 'scm.commits.v1' }),
  /** @default scm.issues.v1 */
  FEATURIZER_TOPIC_ISSUES: str({ default: 'scm.issues.v1' }),
  /** @default features.commits.v1 */
  FEATURIZER_TOPIC_FEATURES: str({ default: 'features.commits.v1' }),
  /** @default labels.commits.v1 */
  FEATURIZER_TOPIC_LABELS: str({ default: 'labels.commits.v1' }),
  /** Records handled (and their offsets committed) together. @default 500 */
  FEATURIZER_BATCH_SIZE: int({ min: 1, max: 10_000, default: 500 }),
  /** Key prefix of the per-repository history in Redis. @default omen:featurizer */
  FEATURIZER_STATE_PREFIX: str({ default: 'omen:featurizer' }),
  /** Key prefix of the online features in Redis. @default omen:features */
  FEATURIZER_ONLINE_PREFIX: str({ default: 'omen:features' }),
  /** How long a commit's online features live after their last write. @default 720h (30 days) */
  FEATURIZER_ONLINE_TTL: durationMs({ minMs: 60_000, default: 30 * 24 * 3600 * 1000 }),
  /** Parse changed files with tree-sitter when hunks are known. @default true */
  FEATURIZER_CODE_METRICS: bool({ default: true }),
  /**
   * Worker threads that parse and measure changed files, so the commit walk, the stores' I/O and
   * the consumer go on meanwhile; each path always goes to the same worker. 0 parses on the main
   * thread. Raise it on pods with more cores. @default 1
   */
  FEATURIZER_CODE_WORKERS: int({ min: 0, max: 64, default: 1 }),
  /**
   * Parse trees kept, by the total length of their texts in characters, so that a file's next
   * version is parsed incrementally from its last one (tree-sitter reuses what the edit did not
   * touch). They live in tree-sitter's WebAssembly memory, about 35 bytes per character (measured
   * on express's JavaScript; 2,000,000 characters is about 70 MB), which never shrinks; 0
   * parses every text from scratch. Per code worker. @default 2000000
   */
  FEATURIZER_CODE_TREE_CACHE_CHARS: int({ min: 0, max: 100_000_000, default: 2_000_000 }),
  /**
   * When records of scm.commits.v1 or scm.issues.v1 were deleted before the featurizer read them:
   * `stop` pauses that partition, commits nothing past the gap and reports NOT_SERVING with the
   * range, because history metrics computed over a gap are wrong; `skip` goes on without them
   * (counted in omen_kafka_consumer_skipped_offsets_total). @default stop
   */
  FEATURIZER_OFFSET_GAP_POLICY: enumOf(OFFSET_GAP_POLICIES, { default: 'stop' }),
  /** Partitions handled at once. @default 3 */
  FEATURIZER_PARTITIONS_CONCURRENTLY: int({ min: 1, max: 64, default: 3 }),
  /**
   * Applied commits per repository whose outputs the state keeps, so a redelivery re-emits them
   * (a count, see src/domain/retention.ts for why); at least FEATURIZER_BATCH_SIZE. Older
   * redeliveries are acknowledged without re-emitting. @default 5000
   */
  FEATURIZER_COMMIT_STATE_RETENTION: int({ min: 1, max: 100_000_000, default: DEFAULT_RETENTION.commitOutputs }),
  /**
   * How long an issue's link to a commit that has not arrived waits for it (processing time,
   * since an issue last added the link). @default 720h (30 days)
   */
  FEATURIZER_PENDING_LINK_TTL: durationMs({ minMs: 60_000, default: DEFAULT_RETENTION.pendingMs }),
  /**
   * Commits of a repository (merges included) a file's blame stays stored after a later commit on
   * the same branch changed the file, so a branch started from a commit that far back still
   * blames like git (src/domain/dag.ts). Versions a live branch still sees are kept regardless.
   * @default 100
   */
  FEATURIZER_BLAME_WINDOW: int({ min: 0, max: 100_000_000, default: DEFAULT_BLAME_WINDOW }),
};

export type FeaturizerConfig = ConfigOf<typeof featurizerConfigSchema & BaseConfigShape>;

/** What no single variable's check sees: bounds between variables. */
export function configProblems(
  config: Pick<FeaturizerConfig, 'FEATURIZER_COMMIT_STATE_RETENTION' | 'FEATURIZER_BATCH_SIZE'>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // A batch's state is written before its sinks acknowledge it; a smaller window could drop
  // outputs that a crash then needs to re-emit.
  if (config.FEATURIZER_COMMIT_STATE_RETENTION < config.FEATURIZER_BATCH_SIZE) {
    problems.push({
      variable: 'FEATURIZER_COMMIT_STATE_RETENTION',
      expected: `an integer >= FEATURIZER_BATCH_SIZE (${config.FEATURIZER_BATCH_SIZE})`,
      got: String(config.FEATURIZER_COMMIT_STATE_RETENTION),
    });
  }
  return problems;
}
