export { checkManifests, checkCompose, checkKubernetes, consumersByTopic, SERVICES, ENGINE_VARIABLES } from './check.ts';
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
