import { Kafka, logLevel } from 'kafkajs';
import { OmenError } from '@omen/errors';
import { allTopics, type TopicManifest, type TopicSpec } from './manifest.ts';

/** A topic the manifest lists that the cluster already has. */
export interface ExistingTopic {
  readonly spec: TopicSpec;
  readonly partitions: number;
}

export interface TopicPlan {
  /** Missing on the cluster: `applyTopics` creates these. */
  readonly create: readonly TopicSpec[];
  /** Present with the manifest's partition count. */
  readonly existing: readonly ExistingTopic[];
  /**
   * Present with another partition count. Reported, never changed: adding partitions moves keys
   * to other partitions, which breaks the per-repository ordering consumers rely on.
   */
  readonly mismatched: readonly ExistingTopic[];
}

export interface ApplyTopicsOptions {
  /** `host:port` bootstrap addresses. */
  readonly brokers: readonly string[];
  /** Plan only; create nothing. @default false */
  readonly dryRun?: boolean;
  /** For new topics; -1 lets the cluster's `default.replication.factor` decide. @default -1 */
  readonly replicationFactor?: number;
  /** @default 'omen-topics' */
  readonly clientId?: string;
  /** Per request. @default 10000 */
  readonly timeoutMs?: number;
}

export interface ApplyTopicsResult extends TopicPlan {
  readonly dryRun: boolean;
  /** Names actually created by this call (empty on a dry run). */
  readonly created: readonly string[];
}

/** UNAVAILABLE: the cluster could not be asked; FAILED_PRECONDITION: it refused to create. */
export class TopicApplyError extends OmenError<'UNAVAILABLE' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT'> {}

/** Kafka topic configs for a spec: retention and cleanup policy. */
export function topicConfigEntries(spec: TopicSpec): { name: string; value: string }[] {
  return [
    { name: 'retention.ms', value: String(spec.retentionMs) },
    { name: 'cleanup.policy', value: spec.cleanupPolicy },
  ];
}

/** What `applyTopics` would do, given each existing topic's partition count by name. */
export function planTopics(manifest: TopicManifest, existing: ReadonlyMap<string, number>): TopicPlan {
  const create: TopicSpec[] = [];
  const same: ExistingTopic[] = [];
  const mismatched: ExistingTopic[] = [];
  for (const spec of allTopics(manifest)) {
    const partitions = existing.get(spec.name);
    if (partitions === undefined) create.push(spec);
    else (partitions === spec.partitions ? same : mismatched).push({ spec, partitions });
  }
  return { create, existing: same, mismatched };
}

/**
 * Creates the manifest's missing topics (dead-letter topics included) on a real Kafka, with
 * `retention.ms` and `cleanup.policy`. Existing topics are reported, never recreated or altered.
 * The dev broker (librdkafka's mock) has no CreateTopics: `stack up` creates its topics instead.
 * @throws TopicApplyError when the cluster cannot be reached or refuses a topic
 */
export async function applyTopics(manifest: TopicManifest, options: ApplyTopicsOptions): Promise<ApplyTopicsResult> {
  if (options.brokers.length === 0)
    throw new TopicApplyError('INVALID_ARGUMENT', 'no brokers given (set KAFKA_BROKERS or pass --brokers)');
  const timeout = options.timeoutMs ?? 10_000;
  const kafka = new Kafka({
    clientId: options.clientId ?? 'omen-topics',
    brokers: [...options.brokers],
    connectionTimeout: timeout,
    requestTimeout: timeout,
    retry: { retries: 2 },
    // Failures come back as TopicApplyError; kafkajs's own log lines would only repeat them.
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const where = options.brokers.join(',');
  try {
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata();
    const existing = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const plan = planTopics(manifest, existing);
    if (options.dryRun || plan.create.length === 0) return { ...plan, dryRun: options.dryRun ?? false, created: [] };
    try {
      await admin.createTopics({
        waitForLeaders: true,
        timeout,
        topics: plan.create.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: options.replicationFactor ?? -1,
          configEntries: topicConfigEntries(spec),
        })),
      });
    } catch (err) {
      throw new TopicApplyError(
        'FAILED_PRECONDITION',
        `creating ${plan.create.length} topics on ${where} failed: ${(err as Error).message}` +
          ' (the dev broker has no CreateTopics; its topics come from topics.yaml when `stack up` starts it)',
        { cause: err },
      );
    }
    // Another client may have created some meanwhile; kafkajs skips those. Report what exists now.
    const after = await admin.fetchTopicMetadata({ topics: plan.create.map((s) => s.name) });
    const created = after.topics.map((t) => t.name);
    return { ...plan, dryRun: false, created };
  } catch (err) {
    if (err instanceof TopicApplyError) throw err;
    throw new TopicApplyError('UNAVAILABLE', `topics apply against ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
