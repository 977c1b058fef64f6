// `./scripts/omen bench trainer`: GBDT (200 trees, no early stopping) on 100,000 rows × 14
// features, and LR on the same rows for comparison. Each model trains in a child process of its
// own, so its peak RSS is its own and not left over from the other. Rows are resampled with
// replacement from the real ISSTA'21 projects (or synthetic with --synthetic or when the data is
// missing); the JSON says which. Result: last stdout line and bench/results/trainer.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  GBDT_DEFAULTS,
  KAMEI_FEATURES,
  predict,
  rocAuc,
  trainGbdt,
  trainLogistic,
  type Dataset,
  type Model,
} from '../src/domain/index.ts';
import { seededRandom } from '@omen/service/random';
import { findJitProjects, loadJitProject } from './load-jit.ts';

const ROWS = 100_000;
const TREES = 200;
const DEFAULT_DATA = fileURLToPath(new URL('../../../../shared/data/jit/issta21', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/trainer.json', import.meta.url));

function resampled(dir: string, seed: number): { data: Dataset; source: string } {
  const projects = findJitProjects(dir).map((p) => ({ name: p.project, d: loadJitProject(p.path) }));
  const pool = projects.reduce((n, p) => n + p.d.y.length, 0);
  const f = KAMEI_FEATURES.length;
  const rand = seededRandom(seed);
  const x = new Float64Array(ROWS * f);
  const y = new Uint8Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    let k = Math.floor(rand() * pool);
    const p = projects.find((q) => (k < q.d.y.length ? true : ((k -= q.d.y.length), false)))!;
    x.set(p.d.x.subarray(k * f, k * f + f), i * f);
    y[i] = p.d.y[k]!;
  }
  return {
    data: { featureNames: [...KAMEI_FEATURES], x, y, time: Float64Array.from({ length: ROWS }, (_, i) => i) },
    source: `resampled with replacement (seed ${seed}) from ${pool} real rows of issta21 ${projects.map((p) => p.name).join(',')}`,
  };
}

/** Heavy-tailed counts and a logistic label, so trees have real structure to find. */
function synthetic(seed: number): { data: Dataset; source: string } {
  const f = KAMEI_FEATURES.length;
  const rand = seededRandom(seed);
  const x = new Float64Array(ROWS * f);
  const y = new Uint8Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    let z = -1;
    for (let j = 0; j < f; j++) {
      const v = Math.floor(Math.exp(rand() * 8) - 1);
      x[i * f + j] = v;
      z += (j % 3 === 0 ? 0.3 : -0.1) * Math.log1p(v) * (j < 7 ? 1 : 0.2);
    }
    y[i] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return {
    data: { featureNames: [...KAMEI_FEATURES], x, y, time: Float64Array.from({ length: ROWS }, (_, i) => i) },
    source: `synthetic (seed ${seed}): log-uniform counts, logistic label`,
  };
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);

/** Per-model results without the fields the top level already carries. */
function strip(r: Record<string, unknown>): Record<string, unknown> {
  const { source: _source, rows: _rows, features: _features, ...rest } = r;
  return rest;
}

/** Child mode: train one model, print its measurements as JSON. */
function measure(kind: 'gbdt' | 'logistic', dataDir: string | undefined, seed: number): Record<string, unknown> {
  const { data, source } = dataDir ? resampled(dataDir, seed) : synthetic(seed);
  globalThis.gc?.();
  const before = process.memoryUsage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const params = { ...GBDT_DEFAULTS, numTrees: TREES, earlyStoppingRounds: 0, seed };
  const model: Model =
    kind === 'gbdt' ? trainGbdt(data, undefined, params) : trainLogistic(data, { log1p: 'count-like', l2: 1e-4 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = process.memoryUsage();
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const t1 = performance.now();
  const p = predict(model, data.x);
  const predictMs = performance.now() - t1;
  return {
    source,
    rows: data.y.length,
    features: data.featureNames.length,
    train_seconds: Math.round(seconds * 1000) / 1000,
    train_cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    predict_100k_ms: Math.round(predictMs),
    train_auc: Math.round(rocAuc(data.y, p) * 10_000) / 10_000,
    max_rss_mb: maxRssMb,
    rss_before_train_mb: mb(before.rss),
    rss_after_train_mb: mb(after.rss),
    heap_used_before_mb: mb(before.heapUsed),
    heap_used_after_mb: mb(after.heapUsed),
    ...(model.kind === 'gbdt'
      ? {
          trees: model.trees.length,
          params: {
            numTrees: TREES,
            learningRate: params.learningRate,
            maxDepth: params.maxDepth,
            maxLeaves: params.maxLeaves,
            maxBins: params.maxBins,
            minDataInLeaf: params.minDataInLeaf,
            lambda: params.lambda,
            subsample: params.subsample,
            colsample: params.colsample,
          },
        }
      : model.kind === 'logistic'
        ? { newton_iterations: model.iterations, params: { l2: 1e-4, log1p: 'count-like' } }
        : {}),
  };
}

function main(): number {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      synthetic: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    process.stderr.write(`bench trainer: --seed must be an integer; got "${values.seed}"\n`);
    return 2;
  }
  const dataDir = values.synthetic ? undefined : (values.data ?? (existsSync(DEFAULT_DATA) ? DEFAULT_DATA : undefined));
  if (values.only === 'gbdt' || values.only === 'logistic') {
    process.stdout.write(`${JSON.stringify(measure(values.only, dataDir, seed))}\n`);
    return 0;
  }
  // Wall time on a shared machine includes waiting for a core; the CPU seconds and the load
  // average at the start say how much.
  const load1m = Math.round(loadavg()[0]! * 100) / 100;
  const child = (kind: string): Record<string, unknown> => {
    const args = [
      ...process.execArgv,
      '--expose-gc',
      fileURLToPath(import.meta.url),
      '--only',
      kind,
      '--seed',
      String(seed),
      ...(dataDir ? ['--data', dataDir] : ['--synthetic']),
    ];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  };
  process.stderr.write(`bench trainer: GBDT ${TREES} trees on ${ROWS} rows…\n`);
  const gbdt = child('gbdt');
  process.stderr.write('bench trainer: LR on the same rows…\n');
  const logistic = child('logistic');
  const cpu = cpus();
  const result = {
    bench: 'trainer',
    at: new Date().toISOString(),
    data: { rows: gbdt['rows'], features: gbdt['features'], source: gbdt['source'] },
    machine: {
      os: `${platform()} ${release()}`,
      arch: arch(),
      cpu: cpu[0]?.model ?? 'unknown',
      cpus: cpu.length,
      total_memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      threads_used: 1,
      load_average_1m_at_start: load1m,
    },
    gbdt: strip(gbdt),
    logistic: strip(logistic),
    gbdt_vs_lr_time_ratio:
      Math.round(((gbdt['train_seconds'] as number) / (logistic['train_seconds'] as number)) * 10) / 10,
  };
  if (!values['no-write']) {
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`bench trainer: wrote ${RESULTS}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

process.exitCode = main();
