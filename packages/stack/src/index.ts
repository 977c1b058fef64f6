/**
 * The embedded engine stack for one machine: the dev Kafka broker (librdkafka's mock cluster),
 * the schema registry, ClickHouse, Redis, NATS with JetStream and Prometheus (scraping what
 * `services up` and tests register, evaluating the repository's alert rules), all on 127.0.0.1
 * with their state under `.omen/stack/`. An engine whose variable (KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL, CLICKHOUSE_URL, REDIS_URL, NATS_URL, PROMETHEUS_URL) is set is external
 * and left alone. `stackUp({ cluster: true })` (`stack up --cluster`) starts the clustered forms
 * instead: ClickHouse as 2 shards × 2 replicas (cluster `omen`) with a ZooKeeper.
 *
 *   const { ok, env } = await stackUp();     // or ./scripts/omen stack up
 *   const { KAFKA_BROKERS } = readStackEnv(); // process.env first, then .omen/stack.env
 */
export { stackDown, stackStatus, stackUp } from './stack.ts';
export type { EngineResult, EngineState, StackCheck, StackOptions, StackResult } from './stack.ts';
export {
  ALL_ENGINE_NAMES,
  CLICKHOUSE_CLUSTER_NAME,
  CLICKHOUSE_CLUSTER_NODES,
  CLUSTER_ENGINE_NAMES,
  CLUSTER_FORMS,
  ENGINE_NAMES,
  PROMETHEUS_RULES_FILE,
  isClusterEngineName,
  isEngineName,
  modeEngineNames,
  prometheusTargetsDir,
  requireExecutable,
} from './engines.ts';
export { prometheusConfigYaml, writePrometheusTargets } from './prometheus-config.ts';
export type { PrometheusConfigOptions, ScrapeTarget } from './prometheus-config.ts';
export type { ClusterEngineName, EngineName, SingleEngineName } from './engines.ts';
export {
  formatEnvFile,
  parseEnvFile,
  readStackEnv,
  readStackEnvFile,
  STACK_ENV_KEYS,
  STACK_FILE_KEYS,
  STACK_SETTING_KEYS,
} from './env-file.ts';
export type { StackEnv, StackEnvKey, StackSettingKey } from './env-file.ts';
export {
  CLUSTER_PORT_BASE,
  NATS_CLUSTER_NODES,
  PORT_VARIABLES,
  REDIS_CLUSTER_NODES,
  clusterPorts,
  stackPorts,
} from './config.ts';
export type { ClickHouseNodePorts, ClusterPorts, StackPorts } from './config.ts';
export { repoRoot, stackPaths } from './paths.ts';
export type { StackPathOptions, StackPaths } from './paths.ts';
export { clickhouseConfigXml, clickhouseUsersXml } from './clickhouse-config.ts';
export type { ClickHouseClusterNodeConfig, ClickHouseConfigOptions } from './clickhouse-config.ts';
export { zookeeperConfig } from './zookeeper-config.ts';
export { clickhouseClusterProbe, zookeeperFourLetterWord, zookeeperProbe } from './probes.ts';
export { BROKER_SOURCE, brokerTopicLines, ensureBroker } from './broker.ts';
export { startPrivateBroker } from './private-broker.ts';
export type { PrivateBroker, PrivateBrokerOptions } from './private-broker.ts';
export { isOurProcess, logTail, readPidFile, spawnDetached, stopProcess, writePidFile } from './process.ts';
export type { PidRecord, SpawnSpec } from './process.ts';
export { clusterNodePid, natsClusterAddress, nodeDir, redisClusterAddress, replicaOutOfSync } from './cluster.ts';
