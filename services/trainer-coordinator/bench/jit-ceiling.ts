// DIAGNOSTIC ONLY — never used to pick the recipe. How high can this model family go on the
// ISSTA'21 *test* rows if one were allowed to tune on them (which the benchmark must not)? Runs a
// grid of reasonable variants of JIT_TRAIN_PARAMS (weights, depth, regularisation, learning rate,
// class weights, recency) with the normal protocol and reports each variant's test AUC, then the
// per-project best over all variants. That best is an optimistic upper bound (selection on the
// test split); if even it stays below a goal, no tuning of these models on these 14 metrics
// reaches it. Run: node --import tsx bench/jit-ceiling.ts [DIR]. Last stdout line: JSON.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  chronologicalSplit,
  GBDT_DEFAULTS,
  JIT_TRAIN_PARAMS,
  predict,
  rocAuc,
  trainModel,
  type Dataset,
  type ModelKind,
  type TrainParams,
} from '../src/domain/index.ts';
import { findJitProjects, loadJitProject } from './load-jit.ts';

const dir = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data/jit/issta21', import.meta.url));
const R = JIT_TRAIN_PARAMS;
const g = R.gbdt;
type Variant = { kind: ModelKind; params: TrainParams; halfLife?: number };
const variants: Record<string, Variant> = {
  recipe: { kind: 'ensemble', params: R },
  'lr alone': { kind: 'logistic', params: R },
  'gbdt alone': { kind: 'gbdt', params: R },
  'w.3': { kind: 'ensemble', params: { ...R, gbdtWeight: 0.3 } },
  'w.7': { kind: 'ensemble', params: { ...R, gbdtWeight: 0.7 } },
  depth2: { kind: 'ensemble', params: { ...R, gbdt: { ...g, maxDepth: 2, maxLeaves: 4 } } },
  depth4: { kind: 'ensemble', params: { ...R, gbdt: { ...g, maxDepth: 4, maxLeaves: 16 } } },
  'depth6 leaf50': {
    kind: 'ensemble',
    params: { ...R, gbdt: { ...g, maxDepth: 6, maxLeaves: 31, minDataInLeaf: 50 } },
  },
  'gbdt defaults': { kind: 'ensemble', params: { ...R, gbdt: { ...GBDT_DEFAULTS, numTrees: 1000 } } },
  'lr.01': { kind: 'ensemble', params: { ...R, gbdt: { ...g, learningRate: 0.01, numTrees: 3000 } } },
  lambda100: { kind: 'ensemble', params: { ...R, gbdt: { ...g, lambda: 100 } } },
  leaf400: { kind: 'ensemble', params: { ...R, gbdt: { ...g, minDataInLeaf: 400 } } },
  'sub.5': { kind: 'ensemble', params: { ...R, gbdt: { ...g, subsample: 0.5, colsample: 0.5 } } },
  'stop on auc': { kind: 'ensemble', params: { ...R, gbdt: { ...g, earlyStoppingMetric: 'auc' } } },
  balanced: {
    kind: 'ensemble',
    params: { ...R, logistic: { ...R.logistic, classWeight: 'balanced' }, gbdt: { ...g, classWeight: 'balanced' } },
  },
  'l2 .01': { kind: 'ensemble', params: { ...R, logistic: { ...R.logistic, l2: 0.01 } } },
  'l2 1': { kind: 'ensemble', params: { ...R, logistic: { ...R.logistic, l2: 1 } } },
  'recency½': { kind: 'ensemble', params: R, halfLife: 0.5 },
  'recency¼': { kind: 'ensemble', params: R, halfLife: 0.25 },
};

function recency(d: Dataset, halfLife: number): Dataset {
  const t0 = d.time[0]!;
  const t1 = d.time[d.time.length - 1]!;
  return { ...d, weight: d.time.map((t) => 0.5 ** ((t1 - t) / (halfLife * (t1 - t0)))) };
}
const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

const table: Record<string, Record<string, number>> = {};
const projects = findJitProjects(dir);
for (const { project, path } of projects) {
  const { train, test } = chronologicalSplit(loadJitProject(path), { testFraction: 0.2, validationFraction: 0 });
  for (const [name, v] of Object.entries(variants)) {
    const auc = rocAuc(
      test.y,
      predict(trainModel(v.kind, v.halfLife ? recency(train, v.halfLife) : train, v.params).model, test.x),
    );
    (table[name] ??= {})[project] = r4(auc);
  }
  process.stdout.write(`${project} done\n`);
}
const names = projects.map((p) => p.project);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [name, row] of Object.entries(table)) {
  process.stdout.write(
    `${name.padEnd(14)} ${names.map((p) => `${p} ${row[p]!.toFixed(4)}`).join('  ')}  mean ${mean(names.map((p) => row[p]!)).toFixed(4)}\n`,
  );
}
const best = Object.fromEntries(names.map((p) => [p, Math.max(...Object.values(table).map((row) => row[p]!))]));
const bestVariantMean = Math.max(...Object.values(table).map((row) => mean(names.map((p) => row[p]!))));
const result = {
  bench: 'jit-ceiling',
  diagnostic: 'test-split selection, never used for the recipe',
  at: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    total_memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    note: 'AUCs are deterministic; the machine does not change them',
  },
  variants: table,
  best_single_variant_mean: r4(bestVariantMean),
  per_project_best: best,
  per_project_best_mean: r4(mean(Object.values(best))),
};
writeFileSync(
  fileURLToPath(new URL('./results/jit-ceiling.json', import.meta.url)),
  `${JSON.stringify(result, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
