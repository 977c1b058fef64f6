// `./scripts/omen jit-benchmark --data DIR`: the ISSTA'21 within-project protocol (rows by date,
// first 80% train, last 20% test) on every project under DIR. All tuning — early stopping, the
// decision threshold — happens on the newest 20% of the training rows; test rows are only scored.
// Last stdout line: {"projects":{"<p>":{"auc":…,"lapredict":…,"deepjit":…,…}},"mean_auc":…}
import { parseArgs } from 'node:util';
import {
  chronologicalSplit, effortOf, evaluate, JIT_TRAIN_PARAMS, MODEL_KINDS, predict, rocAuc, trainModel,
  type ModelKind,
} from '../src/domain/index.ts';
import { findJitProjects, loadJitProject } from './load-jit.ts';
import { PUBLISHED_AUC } from './published-jit.ts';

const r4 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10_000) / 10_000 : null);

function main(): number {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      kind: { type: 'string', default: 'ensemble' },
      project: { type: 'string', multiple: true },
    },
  });
  if (!values.data) {
    process.stderr.write('jit-benchmark: --data DIR is required (e.g. ../shared/data/jit/issta21)\n');
    return 2;
  }
  const kind = values.kind as ModelKind;
  if (!MODEL_KINDS.includes(kind)) {
    process.stderr.write(`jit-benchmark: --kind must be one of ${MODEL_KINDS.join(', ')}; got "${values.kind}"\n`);
    return 2;
  }
  let projects = findJitProjects(values.data);
  if (values.project) projects = projects.filter((p) => values.project!.includes(p.project));
  const out: Record<string, Record<string, unknown>> = {};
  const aucs: number[] = [];
  for (const { project, path } of projects) {
    const started = performance.now();
    const data = loadJitProject(path);
    const { train, test, report } = chronologicalSplit(data, { testFraction: 0.2, validationFraction: 0 });
    const result = trainModel(kind, train, JIT_TRAIN_PARAMS);
    const p = predict(result.model, test.x);
    const ev = evaluate(test.y, p, effortOf(test), result.threshold);
    // The single models of the same recipe, for context: what the ensemble adds.
    const single = (k: ModelKind): number | null =>
      k === kind ? r4(ev.auc) : r4(rocAuc(test.y, predict(trainModel(k, train, JIT_TRAIN_PARAMS).model, test.x)));
    const published = PUBLISHED_AUC[project];
    const gbdt = result.model.kind === 'gbdt' ? result.model : result.model.kind === 'ensemble' ? result.model.gbdt : undefined;
    out[project] = {
      auc: r4(ev.auc),
      lapredict: published?.lapredict ?? null,
      deepjit: published?.deepjit ?? null,
      beats_lapredict: published ? ev.auc > published.lapredict : null,
      lr_auc: single('logistic'),
      gbdt_auc: single('gbdt'),
      pr_auc: r4(ev.prAuc),
      f1: r4(ev.atThreshold.f1),
      threshold: r4(result.threshold),
      brier: r4(ev.brier),
      recall_at_20_effort: r4(ev.recallAt20Effort),
      popt: r4(ev.popt),
      validation_auc: r4(result.validation?.auc ?? Number.NaN),
      gbdt_trees: gbdt?.trees.length ?? null,
      train_rows: report.fit.rows,
      test_rows: report.test.rows,
      test_label_rate: r4(report.test.labelRate),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    aucs.push(ev.auc);
    const pub = published ? `LApredict ${published.lapredict.toFixed(4)}  DeepJIT ${published.deepjit.toFixed(4)}` : 'no published AUC';
    process.stdout.write(`${project.padEnd(10)} ${kind} AUC ${ev.auc.toFixed(4)}  (LR ${String(out[project]['lr_auc'])}, GBDT ${String(out[project]['gbdt_auc'])})  ${pub}\n`);
  }
  const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
  process.stdout.write(`${JSON.stringify({ model: kind, protocol: 'issta21: by date, first 80% train (newest 20% of it = validation), last 20% test', projects: out, mean_auc: r4(mean) })}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`jit-benchmark: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
