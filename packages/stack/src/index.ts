/**
 * The embedded engine stack for one machine: the dev Kafka broker (librdkafka's mock cluster),
 * the schema registry, ClickHouse, Redis, NATS with JetStream and Prometheus (scraping what
 * `services up` and tests register, evaluating the repository's alert rules), all on 127.0.0.1
 * with their state under `.omen/stack/`. An engine whose variable (KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL, CLICKHOUSE_URL, REDIS_URL, NATS_URL, PROMETHEUS_URL) is set is external
 * and left alone.
 *
 *   const { ok, env } = await stackUp();     // or ./scripts/omen stack up
 *   const { KAFKA_BROKERS } = readStackEnv(); // process.env first, then .omen/stack.env
 */
export { stackDown, stackStatus, stackUp } from './stack.ts';
export type { EngineResult, EngineState, StackOptions, StackResult } from './stack.ts';
export { CLUSTER_REPLACES, defaultEngines, isClusterEngine, ENGINE_NAMES, PROMETHEUS_RULES_FILE, isEngineName, prometheusTargetsDir, requireExecutable } from './engines.ts';
export { prometheusConfigYaml, writePrometheusTargets } from './prometheus-config.ts';
export type { PrometheusConfigOptions, ScrapeTarget } from './prometheus-config.ts';
export type { EngineName } from './engines.ts';
export { formatEnvFile, parseEnvFile, readStackEnv, readStackEnvFile, STACK_ENV_KEYS, STACK_FLAG_KEYS } from './env-file.ts';
export type { StackEnv, StackEnvKey, StackFlagKey } from './env-file.ts';
export { PORT_VARIABLES, stackPorts } from './config.ts';
export type { StackPorts } from './config.ts';
export { repoRoot, stackPaths } from './paths.ts';
export type { StackPathOptions, StackPaths } from './paths.ts';
export { clickhouseConfigXml, clickhouseUsersXml } from './clickhouse-config.ts';
export { BROKER_SOURCE, brokerTopicLines, ensureBroker } from './broker.ts';
export { startPrivateBroker } from './private-broker.ts';
export type { PrivateBroker, PrivateBrokerOptions } from './private-broker.ts';
export { isOurProcess, logTail, readPidFile, spawnDetached, stopProcess, writePidFile } from './process.ts';
export type { PidRecord, SpawnSpec } from './process.ts';
export { clusterNodePid, clusterPorts, CLUSTER_PORT_BASE_VARIABLE, natsClusterAddress, nodeDir, redisClusterAddress } from './cluster.ts';
export type { ClusterPorts } from './cluster.ts';
