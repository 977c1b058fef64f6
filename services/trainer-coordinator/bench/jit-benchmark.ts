// `./scripts/omen jit-benchmark --data DIR`: the ISSTA'21 within-project protocol (rows by date,
// first 80% train, last 20% test) on every project under DIR. All choices — which candidate wins
// (auto), early stopping, the decision threshold — happen on the newest 20% of the training rows,
// as in a training run; test rows are only scored.
// Last stdout line: {"projects":{"<p>":{"auc":…,"winner":…,"best_published":…,…}},"mean_auc":…}
import { parseArgs } from 'node:util';
import {
  chronologicalSplit,
  effortOf,
  evaluate,
  JIT_TRAIN_PARAMS,
  modelKindOf,
  predict,
  rocAuc,
  trainModel,
  trainSubsetLogistic,
  type TrainAlgorithm,
} from '../src/domain/index.ts';
import { findJitProjects, loadJitProject } from './load-jit.ts';
import { PUBLISHED_AUC, bestPublished } from './published-jit.ts';

const r4 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10_000) / 10_000 : null);
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

function main(): number {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      kind: { type: 'string', default: 'auto' },
      project: { type: 'string', multiple: true },
    },
  });
  if (!values.data) {
    process.stderr.write('jit-benchmark: --data DIR is required (e.g. ../shared/data/jit/issta21)\n');
    return 2;
  }
  let kind: TrainAlgorithm;
  try {
    kind = modelKindOf(values.kind);
  } catch (err) {
    process.stderr.write(`jit-benchmark: --kind: ${(err as Error).message}\n`);
    return 2;
  }
  let projects = findJitProjects(values.data);
  if (values.project) projects = projects.filter((p) => values.project!.includes(p.project));
  const out: Record<string, Record<string, unknown>> = {};
  const aucs: number[] = [];
  const bests: number[] = [];
  for (const { project, path } of projects) {
    const started = performance.now();
    const data = loadJitProject(path);
    const { train, test, report } = chronologicalSplit(data, { testFraction: 0.2, validationFraction: 0 });
    const result = trainModel(kind, train, JIT_TRAIN_PARAMS);
    const trainSeconds = (performance.now() - started) / 1000;
    const p = predict(result.model, test.x);
    const ev = evaluate(test.y, p, effortOf(test), result.threshold);
    // LApredict refitted here on the same split: how our LR-on-la compares with the paper's.
    const lapredictOurs = train.featureNames.includes('la')
      ? rocAuc(test.y, predict(trainSubsetLogistic(train, ['la'], JIT_TRAIN_PARAMS.logistic), test.x))
      : Number.NaN;
    const published = PUBLISHED_AUC[project];
    const best = published ? bestPublished(published) : undefined;
    const gbdt =
      result.model.kind === 'gbdt' ? result.model : result.model.kind === 'ensemble' ? result.model.gbdt : undefined;
    out[project] = {
      auc: r4(ev.auc),
      winner: result.selection?.winner ?? kind,
      validation_auc: Object.fromEntries(
        (result.selection?.candidates ?? []).map((c) => [c.name, r4(c.validationAuc)]),
      ),
      published: published ?? null,
      best_published: best ? { model: best.model, auc: best.auc } : null,
      beats_best_published: best ? ev.auc > best.auc : null,
      lapredict_ours: r4(lapredictOurs),
      pr_auc: r4(ev.prAuc),
      f1: r4(ev.atThreshold.f1),
      threshold: r4(result.threshold),
      brier: r4(ev.brier),
      recall_at_20_effort: r4(ev.recallAt20Effort),
      popt: r4(ev.popt),
      gbdt_trees: gbdt?.trees.length ?? null,
      train_rows: report.fit.rows,
      test_rows: report.test.rows,
      test_label_rate: r4(report.test.labelRate),
      train_seconds: Math.round(trainSeconds * 10) / 10,
    };
    aucs.push(ev.auc);
    if (best) bests.push(best.auc);
    const vs = best
      ? `best published ${best.model} ${best.auc.toFixed(4)} → ${ev.auc > best.auc ? 'BEATS' : 'does not beat'} it`
      : 'no published AUC in ../shared for this project';
    const cands = (result.selection?.candidates ?? []).map((c) => `${c.name} ${c.validationAuc.toFixed(4)}`).join(', ');
    process.stdout.write(
      `${project.padEnd(10)} ${String(out[project]['winner'])} AUC ${ev.auc.toFixed(4)}  ${vs}${cands ? `  (validation: ${cands})` : ''}\n`,
    );
  }
  const allKnown = bests.length === aucs.length && aucs.length > 0;
  const summary = {
    model: kind,
    protocol:
      'issta21: by date, first 80% train (newest 20% of it = validation: selection, early stopping, threshold), last 20% test',
    projects: out,
    mean_auc: aucs.length > 0 ? r4(mean(aucs)) : null,
    // Only when every project has published numbers, so the two means cover the same projects.
    mean_best_published: allKnown ? r4(mean(bests)) : null,
    beats_best_published_on_all: allKnown ? Object.values(out).every((o) => o['beats_best_published'] === true) : null,
  };
  if (summary.mean_best_published !== null)
    process.stdout.write(`mean       ours ${summary.mean_auc}  best published ${summary.mean_best_published}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`jit-benchmark: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
