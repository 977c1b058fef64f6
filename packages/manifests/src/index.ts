export {
  checkManifests,
  checkCompose,
  checkDockerfile,
  checkKubernetes,
  consumersByTopic,
  DEPLOY_VARIANTS,
  STREAM_CONSUMERS,
  SERVICES,
  ENGINE_VARIABLES,
} from './check.ts';
export type { Variant } from './check.ts';
export { composeSchemaProblems } from './compose-schema.ts';
export { checkComposeClickHouseCluster } from './compose-clickhouse-cluster.ts';
export type { ComposeCheck } from './compose-clickhouse-cluster.ts';
export { checkComposeCluster, mergeCompose } from './check.ts';
export { kustomize, applyJsonPatch, objectId, KustomizeError } from './kustomize.ts';
export type { K8sObject } from './kustomize.ts';
export { validateObject, validateObjects } from './schemas.ts';
export { autoscalingRules, cpuCores } from './autoscaling.ts';
export type { AutoscalingRule, CpuRule, LagRule } from './autoscaling.ts';
export {
  DASHBOARDS_DIR,
  DATASOURCE_UIDS,
  PROMETHEUS_RULE_FILE,
  RULES_FILE,
  checkObservability,
  dashboardProblems,
  panelQueries,
  prometheusRuleYaml,
  readDashboards,
} from './observability.ts';
export type { PanelQuery } from './observability.ts';
