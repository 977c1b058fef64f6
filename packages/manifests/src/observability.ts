import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * Dashboards, alert rules and the Kubernetes objects made from them: one copy of each in
 * compose/ (compose/prometheus/rules.yaml, compose/grafana/dashboards/*.json), the PrometheusRule
 * in deploy/observability generated from the rules file, and checks that keep them so.
 */

export const RULES_FILE = 'compose/prometheus/rules.yaml';
export const PROMETHEUS_RULE_FILE = 'deploy/observability/prometheus-rule.yaml';
export const DASHBOARDS_DIR = 'compose/grafana/dashboards';
/** The datasource uids compose/grafana/provisioning/datasources.yaml defines. */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', clickhouse: 'clickhouse', tempo: 'tempo' } as const;

/** A panel query the way the tests run it: PromQL or ClickHouse SQL with Grafana's macros. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  kind: 'prometheus' | 'clickhouse';
  query: string;
}

type Doc = Record<string, unknown>;
const asRecord = (v: unknown): Doc => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The PrometheusRule (Prometheus Operator) carrying the rules file's groups, as deploy/ holds it. */
export function prometheusRuleYaml(rulesYaml: string): string {
  const groups = asRecord(parse(rulesYaml))['groups'];
  const header = `# Generated from ${RULES_FILE} by prometheusRuleYaml (packages/manifests); a unit test keeps them\n# equal. Edit the rules file, then: node --import tsx packages/manifests/scripts/prometheus-rule.ts\n`;
  return (
    header +
    stringify(
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'omen', labels: { 'app.kubernetes.io/part-of': 'omen', role: 'alert-rules' } },
        spec: { groups },
      },
      { lineWidth: 0 },
    )
  );
}

/** Every dashboard file: name → parsed JSON. */
export function readDashboards(root: string): Map<string, Doc> {
  const dir = join(root, DASHBOARDS_DIR);
  const out = new Map<string, Doc>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    out.set(file, asRecord(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
  }
  return out;
}

/** Every panel's queries, for the test that runs them against the real engines. */
export function panelQueries(dashboards: Map<string, Doc>): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const [file, d] of dashboards) {
    for (const p of asArray(d['panels']).map(asRecord)) {
      for (const t of asArray(p['targets']).map(asRecord)) {
        const uid = asRecord(t['datasource'])['uid'];
        const base = { dashboard: file, panel: String(p['title']) };
        if (uid === DATASOURCE_UIDS.prometheus) out.push({ ...base, kind: 'prometheus', query: String(t['expr']) });
        else if (uid === DATASOURCE_UIDS.clickhouse)
          out.push({ ...base, kind: 'clickhouse', query: String(t['rawSql']) });
      }
    }
  }
  return out;
}

/**
 * What Grafana needs and a person reading the dashboard needs beyond Grafana's schema (checked
 * by the type test): a uid, panels with a unique id, a title and a description saying what the
 * panel is for, a datasource compose provisions, and a query in every target.
 */
export function dashboardProblems(dashboards: Map<string, Doc>): string[] {
  const problems: string[] = [];
  const uids = new Set<string>();
  const known = new Set<string>(Object.values(DATASOURCE_UIDS));
  for (const [file, d] of dashboards) {
    const uid = d['uid'];
    if (typeof uid !== 'string' || uid === '') problems.push(`${file}: no uid`);
    else if (uids.has(uid)) problems.push(`${file}: uid ${uid} used twice`);
    else uids.add(uid);
    const ids = new Set<number>();
    for (const p of asArray(d['panels']).map(asRecord)) {
      const name = `${file}: panel ${JSON.stringify(p['title'])}`;
      if (typeof p['id'] !== 'number' || ids.has(p['id'])) problems.push(`${name} needs a unique numeric id`);
      else ids.add(p['id']);
      if (typeof p['description'] !== 'string' || p['description'].length < 20)
        problems.push(`${name} needs a description of its purpose`);
      const targets = asArray(p['targets']).map(asRecord);
      if (targets.length === 0) problems.push(`${name} has no query`);
      for (const t of targets) {
        const ds = asRecord(t['datasource']);
        if (!known.has(String(ds['uid'])))
          problems.push(`${name} uses datasource ${JSON.stringify(ds['uid'])}, which compose does not provision`);
        const query = ds['uid'] === DATASOURCE_UIDS.clickhouse ? t['rawSql'] : t['expr'];
        if (typeof query !== 'string' || query.trim() === '') problems.push(`${name} has an empty query`);
      }
    }
  }
  return problems;
}

/** compose/ and deploy/observability agree: the PrometheusRule is the rules file's, every dashboard is shipped. */
export function checkObservability(root: string): string[] {
  const problems: string[] = [];
  const rules = readFileSync(join(root, RULES_FILE), 'utf8');
  const deployed = join(root, PROMETHEUS_RULE_FILE);
  if (!existsSync(deployed) || readFileSync(deployed, 'utf8') !== prometheusRuleYaml(rules)) {
    problems.push(
      `${PROMETHEUS_RULE_FILE} is not generated from ${RULES_FILE}: run node --import tsx packages/manifests/scripts/prometheus-rule.ts`,
    );
  }
  const dashboards = readDashboards(root);
  problems.push(...dashboardProblems(dashboards));
  const kustomization = asRecord(parse(readFileSync(join(root, DASHBOARDS_DIR, 'kustomization.yaml'), 'utf8')));
  const shipped = new Set(
    asArray(kustomization['configMapGenerator']).flatMap((g) => asArray(asRecord(g)['files']).map(String)),
  );
  for (const file of dashboards.keys())
    if (!shipped.has(file))
      problems.push(
        `${DASHBOARDS_DIR}/${file} is not in its kustomization's configMapGenerator (deploy would not ship it)`,
      );
  for (const file of shipped)
    if (!dashboards.has(file))
      problems.push(`${DASHBOARDS_DIR}/kustomization.yaml ships ${file}, which does not exist`);
  return problems;
}
