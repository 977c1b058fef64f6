/**
 * The topic manifest (`topics.yaml`): every Kafka topic omen uses, its partitions, retention,
 * cleanup policy, value schema and consumer groups, plus the derived dead-letter topics.
 *
 *   const manifest = loadTopicManifest();
 *   for (const t of allTopics(manifest)) console.log(t.name, t.partitions);
 *   await applyTopics(manifest, { brokers: ['kafka:9092'], dryRun: true });
 */
export {
  allTopics,
  DEFAULT_MANIFEST_PATH,
  loadTopicManifest,
  MAX_PARTITIONS,
  missingSchemaFiles,
  parseRetention,
  parseTopicManifest,
  TopicManifestError,
} from './manifest.ts';
export type { CleanupPolicy, DlqSettings, ManifestIssue, TopicManifest, TopicSpec } from './manifest.ts';
export { DLQ_INFIX, dlqTopic, GROUP_PATTERN, MAX_TOPIC_NAME_LENGTH, parseDlqTopic, TopicNameError } from './names.ts';
export { applyTopics, planTopics, TopicApplyError, topicConfigEntries } from './apply.ts';
export type { ApplyTopicsOptions, ApplyTopicsResult, ExistingTopic, TopicPlan } from './apply.ts';
