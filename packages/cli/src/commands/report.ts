import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { loadGrpcObject, type abrouterV1, type driftV1, type trainerV1 } from '@omen/contracts';
import { createClient } from '@omen/grpc';
import {
  driftReport,
  experimentReport,
  modelReport,
  parseEvaluation,
  type ArmMetricAt,
  type DriftReportData,
  type ExperimentReportData,
  type Histogram,
  type ModelReportData,
} from '@omen/reports';
import { UsageError, type Command } from '../command.ts';
import { servicePorts } from '../local-services.ts';
import { CONNECTION_USAGE, CliFailure, call, callService, isoOf, runVerb, trainerClient } from './models.ts';

// `omen report KIND ID --out FILE.html`: gathering (a service's RPC) is kept apart from rendering
// (@omen/reports, pure data → Vega-Lite → SVG → HTML), so a new source or a new chart changes one side.

const usage = `
usage: ./scripts/omen report model MODEL[/VERSION] --out FILE.html [--addr HOST:PORT]
       ./scripts/omen report drift MODEL[/VERSION] --out FILE.html [--drift-addr HOST:PORT] [--windows N]
       ./scripts/omen report experiment ID --out FILE.html [--ab-addr HOST:PORT] [--clickhouse URL] [--events-table NAME]

  model   the model card of MODEL's champion (or of VERSION): data window, lineage, holdout
          metrics, gate verdict, ROC, precision-recall, calibration, effort curve (la + ld) and
          permutation importance, from the trainer-coordinator's GetModel
  drift   the drift-detector's windows for MODEL (default: its champion): each test's statistic over
          time against its threshold, the current window's tests, and per feature the training
          reference histogram (from the trainer) beside the current window's where recorded
  --drift-addr HOST:PORT  the drift-detector (default: DRIFT_ADDR, else 127.0.0.1:${servicePorts('drift-detector').grpc})
  --windows N       how many past windows the drift report draws (default 50)
  experiment  the ab-router's experiment ID: state and stop reason, arms with expected and observed
          shares of units, and per metric each arm's mean and the difference to control with 95%
          intervals, the sample-ratio check and the last decision with its evidence, from GetExperiment;
          each arm's running mean with its interval over time from the experiment events in ClickHouse
  --ab-addr HOST:PORT  the ab-router (default: AB_ROUTER_ADDR, else 127.0.0.1:${servicePorts('ab-router').grpc})
  --clickhouse URL     ClickHouse holding the experiment events (default: CLICKHOUSE_URL; unset: no chart over time)
  --events-table NAME  the ab-router's events table (default: experiment_events, as ABROUTER_EVENTS_TABLE)
  --out FILE.html   where to write the report: one self-contained HTML file (inline SVG charts,
                    rendered here with Vega-Lite; no script, nothing fetched when opened)
${CONNECTION_USAGE}
`;

/** A registered version as the report's plain data (the gathering half of `report model`). */
export function modelReportData(v: trainerV1.ModelVersion__Output): ModelReportData {
  let evaluation: ReturnType<typeof parseEvaluation>;
  try {
    evaluation = parseEvaluation(v.evaluation_json);
  } catch (err) {
    throw new CliFailure(
      `${v.model_name}/${v.version}: the trainer's evaluation JSON does not parse: ${(err as Error).message}`,
    );
  }
  return {
    model: v.model_name,
    version: v.version,
    stage: v.stage.replace('MODEL_STAGE_', '').toLowerCase(),
    aliases: v.aliases,
    algorithm: v.algorithm,
    runId: v.run_id,
    codeVersion: v.code_version,
    createdAt: isoOf(v.created_at),
    promotedAt: isoOf(v.promoted_at),
    dataFrom: isoOf(v.data_from),
    dataTo: isoOf(v.data_to),
    trainRows: Number(v.train_rows),
    testRows: Number(v.test_rows),
    labelRate: v.label_rate,
    featureSet: `${v.feature_set}@v${v.feature_set_version}`,
    featureNames: v.feature_names,
    artifactSha256: v.artifact_sha256,
    sizeBytes: Number(v.size_bytes),
    threshold: v.threshold,
    metrics: v.metrics,
    params: v.params,
    gate: v.gate ? { passed: v.gate.passed, checks: v.gate.checks } : undefined,
    ...evaluation,
  };
}

/** Histograms of a version's reference statistics JSON, by feature name. */
export function referenceHistograms(json: string): Record<string, Histogram> {
  if (json.trim() === '') return {};
  const ref = JSON.parse(json) as {
    features?: { name?: unknown; histogram?: { edges?: unknown; proportions?: unknown } }[];
  };
  const out: Record<string, Histogram> = {};
  for (const f of ref.features ?? []) {
    const h = f.histogram;
    if (typeof f.name === 'string' && h && Array.isArray(h.edges) && Array.isArray(h.proportions))
      out[f.name] = { edges: h.edges as number[], proportions: h.proportions as number[] };
  }
  return out;
}

const enumName = (v: string, prefix: string): string => v.replace(prefix, '').toLowerCase();

/** Drift reports (newest first, as the RPC lists them) and the reference version as the report's data. */
export function driftReportData(
  model: string,
  version: string,
  reports: readonly driftV1.DriftReport__Output[],
  reference: trainerV1.ModelVersion__Output | undefined,
): DriftReportData {
  const windows = [...reports].reverse().map((r) => ({
    windowStart: isoOf(r.window_start),
    windowEnd: isoOf(r.window_end),
    drifted: r.drifted,
    retrainingRunId: r.retraining_run_id,
    tests: r.features.map((f) => ({
      feature:
        f.target === 'DRIFT_TARGET_FEATURE'
          ? f.feature
          : `${enumName(f.target, 'DRIFT_TARGET_')}${f.feature ? `:${f.feature}` : ''}`,
      statistic: enumName(f.statistic, 'DRIFT_STATISTIC_'),
      value: f.value,
      threshold: f.threshold,
      drifted: f.drifted,
      pValue: f.p_value ?? undefined,
      sampleSize: Number(f.sample_size),
    })),
  }));
  let histograms: Record<string, Histogram> = {};
  try {
    histograms = reference ? referenceHistograms(reference.reference_stats_json) : {};
  } catch (err) {
    throw new CliFailure(
      `${model}/${reference?.version}: the reference statistics JSON does not parse: ${(err as Error).message}`,
    );
  }
  return {
    model,
    version,
    referenceVersion: reports[0]?.reference_version ?? reference?.version ?? '',
    windows,
    reference: histograms,
    current: currentHistograms(reports, histograms),
  };
}

/**
 * Per feature, the newest window's shares on the reference's bins: the detector records them on
 * its binned tests (psi, js) of the all-repositories report; a share list of another length (the
 * reference changed since) is not comparable and is left out.
 */
export function currentHistograms(
  reports: readonly driftV1.DriftReport__Output[],
  reference: Readonly<Record<string, Histogram>>,
): Record<string, Histogram> {
  const out: Record<string, Histogram> = {};
  const allReposFirst = [...reports].sort((a, b) => Number(a.repo_id !== '*') - Number(b.repo_id !== '*'));
  for (const r of allReposFirst) {
    for (const f of r.features) {
      const ref = f.target === 'DRIFT_TARGET_FEATURE' ? reference[f.feature] : undefined;
      if (!ref || out[f.feature] || f.current_proportions.length !== ref.edges.length + 1) continue;
      out[f.feature] = { edges: ref.edges, proportions: f.current_proportions };
    }
  }
  return out;
}

/** One bucket of an experiment's metric events: count, sum and sum of squares per arm and metric. */
export interface MetricBucket {
  arm: string;
  metric: string;
  /** End of the bucket, epoch ms. */
  endMs: number;
  n: number;
  sum: number;
  sumSquares: number;
}

/** Per arm and metric, the mean and standard deviation of every event up to each bucket's end. */
export function cumulativeArmMetrics(buckets: readonly MetricBucket[]): ArmMetricAt[] {
  const totals = new Map<string, { n: number; sum: number; sumSquares: number }>();
  const out: ArmMetricAt[] = [];
  for (const b of [...buckets].sort((x, y) => x.endMs - y.endMs)) {
    const key = `${b.arm}\u0000${b.metric}`;
    const t = totals.get(key) ?? { n: 0, sum: 0, sumSquares: 0 };
    t.n += b.n;
    t.sum += b.sum;
    t.sumSquares += b.sumSquares;
    totals.set(key, t);
    const mean = t.sum / t.n;
    const variance = t.n > 1 ? Math.max(0, (t.sumSquares - t.n * mean * mean) / (t.n - 1)) : 0;
    out.push({
      time: new Date(b.endMs).toISOString(),
      arm: b.arm,
      metric: b.metric,
      count: t.n,
      mean,
      stddev: Math.sqrt(variance),
    });
  }
  return out;
}

/**
 * An experiment's metric events from the ab-router's ClickHouse table in about 30 time buckets
 * (the RPC keeps running totals only; the events table is the history analysts query too).
 */
export async function experimentBuckets(
  clickhouseUrl: string,
  table: string,
  experimentId: string,
): Promise<MetricBucket[]> {
  const ch = createClickHouse({ url: clickhouseUrl });
  try {
    const where = sql`experiment_id = ${experimentId} AND isNotNull(arm) AND isNotNull(metric) AND isNotNull(value)`;
    const [span] = await ch.query<{ lo: string | number; hi: string | number; n: string | number }>(
      sql`SELECT min(event_time_ms) AS lo, max(event_time_ms) AS hi, count() AS n FROM ${ident(table)} WHERE ${where}`,
    );
    if (!span || Number(span.n) === 0) return [];
    const lo = Number(span.lo);
    const width = Math.max(1000, Math.ceil((Number(span.hi) - lo + 1) / 30));
    const rows = await ch.query<{
      arm: string;
      metric: string;
      b: string | number;
      n: string | number;
      s: number;
      ss: number;
    }>(sql`
      SELECT assumeNotNull(arm) AS arm, assumeNotNull(metric) AS metric, intDiv(event_time_ms - ${lo}, ${width}) AS b,
             count() AS n, sum(assumeNotNull(value)) AS s, sum(assumeNotNull(value) * assumeNotNull(value)) AS ss
      FROM ${ident(table)} FINAL
      WHERE ${where}
      GROUP BY arm, metric, b`);
    return rows.map((r) => ({
      arm: r.arm,
      metric: r.metric,
      endMs: Math.min(Number(span.hi), lo + (Number(r.b) + 1) * width),
      n: Number(r.n),
      sum: Number(r.s),
      sumSquares: Number(r.ss),
    }));
  } finally {
    await ch.close();
  }
}

/** An experiment as the report's data. */
export function experimentReportData(
  e: abrouterV1.Experiment__Output,
  overTime: readonly ArmMetricAt[] = [],
): ExperimentReportData {
  const spec = e.spec;
  return {
    id: e.experiment_id,
    name: spec?.name ?? e.experiment_id,
    description: spec?.description ?? '',
    model: spec?.model_name ?? '',
    state: enumName(e.state, 'EXPERIMENT_STATE_'),
    createdAt: isoOf(e.created_at),
    stoppedAt: isoOf(e.stopped_at),
    stopReason: e.stop_reason,
    unit: spec?.unit ?? '',
    primaryMetric: spec?.primary_metric ?? '',
    alpha: spec?.alpha ?? Number.NaN,
    arms: (spec?.arms ?? []).map((arm) => {
      const stats = e.stats.find((s) => s.arm === arm.name);
      return {
        name: arm.name,
        modelVersion: arm.model_version,
        weight: arm.weight,
        units: Number(stats?.units ?? 0),
        metrics: (stats?.metrics ?? []).map((m) => ({
          metric: m.metric,
          count: Number(m.count),
          mean: m.mean,
          stddev: m.stddev,
          lift: m.lift ?? undefined,
          pValue: m.p_value ?? undefined,
          ciLow: m.ci_low ?? undefined,
          ciHigh: m.ci_high ?? undefined,
        })),
      };
    }),
    srm: e.srm ? { chi2: e.srm.chi2, pValue: e.srm.p_value, mismatch: e.srm.mismatch } : undefined,
    decision:
      e.decision && e.decision.action
        ? { action: e.decision.action, reason: e.decision.reason, at: isoOf(e.decision.at) }
        : undefined,
    sequential: e.sequential.map((t) => ({
      metric: t.metric,
      diff: t.diff,
      low: t.low,
      high: t.high,
      n: Number(t.n),
      verdict: t.verdict,
    })),
    overTime,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparseable URL';
  }
}

function modelId(id: string): { model: string; version: string } {
  const at = id.indexOf('/');
  const [model, version] = at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
  if (model === '' || (at >= 0 && version === '')) throw new UsageError(`takes MODEL or MODEL/VERSION; got "${id}"`);
  return { model, version };
}

async function runReport(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      addr: { type: 'string' },
      'drift-addr': { type: 'string' },
      'ab-addr': { type: 'string' },
      clickhouse: { type: 'string' },
      'events-table': { type: 'string', default: 'experiment_events' },
      windows: { type: 'string', default: '50' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const [kind, id, ...rest] = positionals;
  if (kind === undefined || id === undefined || rest.length > 0)
    throw new UsageError('report takes KIND ID (KIND: model, drift, experiment)');
  if (!values.out) throw new UsageError('--out FILE.html is required');
  let page: string;
  switch (kind) {
    case 'model': {
      const { model, version } = modelId(id);
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, false), 'GetModel', {
        model_name: model,
        version,
        alias: '',
      });
      page = await modelReport(modelReportData(v));
      break;
    }
    case 'drift': {
      const { model, version } = modelId(id);
      const windows = Number(values.windows);
      if (!Number.isInteger(windows) || windows < 1 || windows > 1000)
        throw new UsageError(`--windows takes 1..1000; got "${values.windows}"`);
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, false), 'GetModel', {
        model_name: model,
        version,
        alias: '',
      });
      const address =
        values['drift-addr'] ?? process.env['DRIFT_ADDR'] ?? `127.0.0.1:${servicePorts('drift-detector').grpc}`;
      const { DriftDetector } = loadGrpcObject('drift').omen.drift.v1;
      const drift = {
        client: createClient(DriftDetector, address, { deadlineMs: 30_000 }),
        address,
        service: 'drift-detector',
      };
      const res = await callService<driftV1.ListDriftReportsResponse__Output>(drift, 'ListDriftReports', {
        model_name: model,
        model_version: v.version,
        page_size: windows,
      });
      page = await driftReport(driftReportData(model, v.version, res.reports, v));
      break;
    }
    case 'experiment': {
      const address =
        values['ab-addr'] ?? process.env['AB_ROUTER_ADDR'] ?? `127.0.0.1:${servicePorts('ab-router').grpc}`;
      const { AbRouter } = loadGrpcObject('abrouter').omen.abrouter.v1;
      const ab = { client: createClient(AbRouter, address, { deadlineMs: 30_000 }), address, service: 'ab-router' };
      const experiment = await callService<abrouterV1.Experiment__Output>(ab, 'GetExperiment', { experiment_id: id });
      const clickhouseUrl = values.clickhouse ?? process.env['CLICKHOUSE_URL'];
      const table = values['events-table'];
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
        throw new UsageError(`--events-table takes a plain table name; got "${table}"`);
      let overTime: ArmMetricAt[] = [];
      if (clickhouseUrl) {
        try {
          overTime = cumulativeArmMetrics(await experimentBuckets(clickhouseUrl, table, experiment.experiment_id));
        } catch (err) {
          // The host only: a URL may carry credentials.
          throw new CliFailure(
            `the experiment events in ClickHouse (${hostOf(clickhouseUrl)}, table ${table}) could not be read: ${(err as Error).message}`,
          );
        }
      }
      page = await experimentReport(experimentReportData(experiment, overTime));
      break;
    }
    default:
      throw new UsageError(`unknown report kind "${kind}" (model, drift, experiment)`);
  }
  const out = resolve(values.out);
  writeFileSync(out, page);
  process.stdout.write(`wrote ${out} (${page.length} bytes)\n`);
  return 0;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report with charts: a model card, drift over time, an experiment',
  usage,
  run: (argv) => runVerb('report', () => runReport(argv)),
};
