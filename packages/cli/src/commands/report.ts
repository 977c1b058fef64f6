import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { trainerV1 } from '@omen/contracts';
import { modelReport, parseEvaluation, type ModelReportData } from '@omen/reports';
import { UsageError, type Command } from '../command.ts';
import { CONNECTION_USAGE, CliFailure, call, isoOf, runVerb, trainerClient } from './models.ts';

// `omen report KIND ID --out FILE.html`: gathering (a service's RPC) is kept apart from rendering
// (@omen/reports, pure data → Vega-Lite → SVG → HTML), so a new source or a new chart changes one side.

const usage = `
usage: ./scripts/omen report model MODEL[/VERSION] --out FILE.html [--addr HOST:PORT]

  model   the model card of MODEL's champion (or of VERSION): data window, lineage, holdout
          metrics, gate verdict, ROC, precision-recall, calibration, effort curve (la + ld) and
          permutation importance, from the trainer-coordinator's GetModel
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

async function runReport(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { addr: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const [kind, id, ...rest] = positionals;
  if (kind === undefined || id === undefined || rest.length > 0) throw new UsageError('report takes KIND ID (KIND: model)');
  if (!values.out) throw new UsageError('--out FILE.html is required');
  let page: string;
  switch (kind) {
    case 'model': {
      const at = id.indexOf('/');
      const [model, version] = at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
      if (model === '' || (at >= 0 && version === '')) throw new UsageError(`model report takes MODEL or MODEL/VERSION; got "${id}"`);
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, false), 'GetModel', { model_name: model, version, alias: '' });
      page = await modelReport(modelReportData(v));
      break;
    }
    default:
      throw new UsageError(`unknown report kind "${kind}" (model)`);
  }
  const out = resolve(values.out);
  writeFileSync(out, page);
  process.stdout.write(`wrote ${out} (${page.length} bytes)\n`);
  return 0;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report with charts: a model card (trainer-coordinator)',
  usage,
  run: (argv) => runVerb('report', () => runReport(argv)),
};
