import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadGrpcObject, type abrouterV1, type driftV1, type trainerV1 } from '@omen/contracts';
import { createClient } from '@omen/grpc';
import { driftReport, experimentReport, modelReport, parseEvaluation, type DriftReportData, type ExperimentReportData, type Histogram, type ModelReportData } from '@omen/reports';
import { UsageError, type Command } from '../command.ts';
import { servicePorts } from '../local-services.ts';
import { CONNECTION_USAGE, CliFailure, call, callService, isoOf, runVerb, trainerClient } from './models.ts';

// `omen report KIND ID --out FILE.html`: gathering (a service's RPC) is kept apart from rendering
// (@omen/reports, pure data → Vega-Lite → SVG → HTML), so a new source or a new chart changes one side.

const usage = `
usage: ./scripts/omen report model MODEL[/VERSION] --out FILE.html [--addr HOST:PORT]
       ./scripts/omen report drift MODEL[/VERSION] --out FILE.html [--drift-addr HOST:PORT] [--windows N]
       ./scripts/omen report experiment ID --out FILE.html [--ab-addr HOST:PORT]

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
          intervals, from GetExperiment
  --ab-addr HOST:PORT  the ab-router (default: AB_ROUTER_ADDR, else 127.0.0.1:${servicePorts('ab-router').grpc})
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
    throw new CliFailure(`${v.model_name}/${v.version}: the trainer's evaluation JSON does not parse: ${(err as Error).message}`);
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
  const ref = JSON.parse(json) as { features?: { name?: unknown; histogram?: { edges?: unknown; proportions?: unknown } }[] };
  const out: Record<string, Histogram> = {};
  for (const f of ref.features ?? []) {
    const h = f.histogram;
    if (typeof f.name === 'string' && h && Array.isArray(h.edges) && Array.isArray(h.proportions)) out[f.name] = { edges: h.edges as number[], proportions: h.proportions as number[] };
  }
  return out;
}

const enumName = (v: string, prefix: string): string => v.replace(prefix, '').toLowerCase();

/** Drift reports (newest first, as the RPC lists them) and the reference version as the report's data. */
export function driftReportData(model: string, version: string, reports: readonly driftV1.DriftReport__Output[], reference: trainerV1.ModelVersion__Output | undefined): DriftReportData {
  const windows = [...reports].reverse().map((r) => ({
    windowStart: isoOf(r.window_start),
    windowEnd: isoOf(r.window_end),
    drifted: r.drifted,
    retrainingRunId: r.retraining_run_id,
    tests: r.features.map((f) => ({
      feature: f.target === 'DRIFT_TARGET_FEATURE' ? f.feature : `${enumName(f.target, 'DRIFT_TARGET_')}${f.feature ? `:${f.feature}` : ''}`,
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
    throw new CliFailure(`${model}/${reference?.version}: the reference statistics JSON does not parse: ${(err as Error).message}`);
  }
  return { model, version, referenceVersion: reports[0]?.reference_version ?? reference?.version ?? '', windows, reference: histograms, current: currentHistograms(reports, histograms) };
}

/**
 * Per feature, the newest window's shares on the reference's bins: the detector records them on
 * its binned tests (psi, js) of the all-repositories report; a share list of another length (the
 * reference changed since) is not comparable and is left out.
 */
export function currentHistograms(reports: readonly driftV1.DriftReport__Output[], reference: Readonly<Record<string, Histogram>>): Record<string, Histogram> {
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

/** An experiment as the report's data. */
export function experimentReportData(e: abrouterV1.Experiment__Output): ExperimentReportData {
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
          metric: m.metric, count: Number(m.count), mean: m.mean, stddev: m.stddev,
          lift: m.lift ?? undefined, pValue: m.p_value ?? undefined, ciLow: m.ci_low ?? undefined, ciHigh: m.ci_high ?? undefined,
        })),
      };
    }),
  };
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
    options: { addr: { type: 'string' }, 'drift-addr': { type: 'string' }, 'ab-addr': { type: 'string' }, windows: { type: 'string', default: '50' }, token: { type: 'string' }, json: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const [kind, id, ...rest] = positionals;
  if (kind === undefined || id === undefined || rest.length > 0) throw new UsageError('report takes KIND ID (KIND: model, drift, experiment)');
  if (!values.out) throw new UsageError('--out FILE.html is required');
  let page: string;
  switch (kind) {
    case 'model': {
      const { model, version } = modelId(id);
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, false), 'GetModel', { model_name: model, version, alias: '' });
      page = await modelReport(modelReportData(v));
      break;
    }
    case 'drift': {
      const { model, version } = modelId(id);
      const windows = Number(values.windows);
      if (!Number.isInteger(windows) || windows < 1 || windows > 1000) throw new UsageError(`--windows takes 1..1000; got "${values.windows}"`);
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, false), 'GetModel', { model_name: model, version, alias: '' });
      const address = values['drift-addr'] ?? process.env['DRIFT_ADDR'] ?? `127.0.0.1:${servicePorts('drift-detector').grpc}`;
      const { DriftDetector } = loadGrpcObject('drift').omen.drift.v1;
      const drift = { client: createClient(DriftDetector, address, { deadlineMs: 30_000 }), address, service: 'drift-detector' };
      const res = await callService<driftV1.ListDriftReportsResponse__Output>(drift, 'ListDriftReports', { model_name: model, model_version: v.version, page_size: windows });
      page = await driftReport(driftReportData(model, v.version, res.reports, v));
      break;
    }
    case 'experiment': {
      const address = values['ab-addr'] ?? process.env['AB_ROUTER_ADDR'] ?? `127.0.0.1:${servicePorts('ab-router').grpc}`;
      const { AbRouter } = loadGrpcObject('abrouter').omen.abrouter.v1;
      const ab = { client: createClient(AbRouter, address, { deadlineMs: 30_000 }), address, service: 'ab-router' };
      page = await experimentReport(experimentReportData(await callService<abrouterV1.Experiment__Output>(ab, 'GetExperiment', { experiment_id: id })));
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
