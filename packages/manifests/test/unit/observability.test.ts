import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import drift from '../../../../compose/grafana/dashboards/omen-drift.json' with { type: 'json' };
import experiments from '../../../../compose/grafana/dashboards/omen-experiments.json' with { type: 'json' };
import freshness from '../../../../compose/grafana/dashboards/omen-freshness.json' with { type: 'json' };
import kafka from '../../../../compose/grafana/dashboards/omen-kafka.json' with { type: 'json' };
import models from '../../../../compose/grafana/dashboards/omen-models.json' with { type: 'json' };
import red from '../../../../compose/grafana/dashboards/omen-service-red.json' with { type: 'json' };
import {
  RULES_FILE,
  checkObservability,
  dashboardProblems,
  panelQueries,
  prometheusRuleYaml,
  readDashboards,
} from '../../src/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * A JSON import widens every string literal to string, so Grafana's literal unions
 * ('dashboards' | 'link', …) are widened the same way: what tsc then checks against
 * @grafana/schema's Dashboard is the structure — field types, arrays, nesting.
 */
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer U)[]
        ? Widen<U>[]
        : T extends object
          ? { [K in keyof T]: Widen<T[K]> }
          : T;

// Grafana's published dashboard schema (v1 JSON model), checked by tsc (./scripts/test runs it).
const typed: Widen<Dashboard>[] = [red, kafka, freshness, models, drift, experiments];

describe('dashboards and alert rules as code (issue 14)', () => {
  it('compose/ and deploy/observability agree, and every dashboard is complete', () => {
    expect(checkObservability(root)).toEqual([]);
    expect(typed.map((d) => d.uid).sort()).toEqual([...readDashboards(root).values()].map((d) => d['uid']).sort());
  });

  it('the PrometheusRule is generated from the rules file: a changed rule shows', () => {
    const rules = readFileSync(join(root, RULES_FILE), 'utf8');
    expect(prometheusRuleYaml(rules.replace('for: 15m', 'for: 20m'))).not.toBe(
      readFileSync(join(root, 'deploy/observability/prometheus-rule.yaml'), 'utf8'),
    );
  });

  it('covers the six areas the issue names, each panel with a query', () => {
    const queries = panelQueries(readDashboards(root));
    const titles = [...readDashboards(root).values()].map((d) => d['title']);
    expect(titles).toEqual(
      expect.arrayContaining([
        'omen / services (RED)',
        'omen / Kafka',
        'omen / freshness',
        'omen / models',
        'omen / drift',
        'omen / experiments',
      ]),
    );
    expect(queries.filter((q) => q.kind === 'clickhouse').length).toBeGreaterThan(5);
    expect(queries.some((q) => q.query.includes('omen_kafka_consumer_skipped_offsets_total'))).toBe(true);
    expect(queries.some((q) => q.query.includes('omen_kafka_consumer_records_dlq_total'))).toBe(true);
  });

  it('names the problems of a broken dashboard', () => {
    const broken = new Map([
      [
        'a.json',
        {
          uid: 'x',
          panels: [{ id: 1, title: 'p', description: 'short', targets: [{ datasource: { uid: 'loki' }, expr: '' }] }],
        },
      ],
      ['b.json', { uid: 'x', panels: [] }],
    ]);
    expect(dashboardProblems(broken)).toEqual([
      'a.json: panel "p" needs a description of its purpose',
      'a.json: panel "p" uses datasource "loki", which compose does not provision',
      'a.json: panel "p" has an empty query',
      'b.json: uid x used twice',
    ]);
  });
});
