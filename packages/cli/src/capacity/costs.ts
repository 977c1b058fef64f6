import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Per-pod costs the capacity simulation starts from, read from the benchmark results kept in the
 * repository (services/NAME/bench/results/*.json, each with the machine it ran on). Only numbers
 * that were measured are used; where a path has no benchmark of its own the nearest measured one
 * stands in and `source` says which.
 */
export interface StageCost {
  /** Items (events, commits, rows) one CPU core handles per second. */
  readonly perCorePerS: number;
  readonly source: string;
}

export interface MeasuredCosts {
  /** ingest: webhook events (one commit each in the benchmark: the conservative case). */
  readonly ingest: StageCost;
  /** featurizer: commits with their diff hunks (tree-sitter, history state, sinks). */
  readonly featurizer: StageCost;
  /** inference: rows scored (stream mode batches the features it consumes). */
  readonly inference: StageCost;
  /** inference per GPU: not measured until a GPU machine runs `./scripts/omen bench inference` with the CUDA provider. */
  readonly inferenceGpu: StageCost | undefined;
}

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

function readJson(root: string, path: string): Json {
  return rec(JSON.parse(readFileSync(join(root, path), 'utf8')));
}

function positive(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value > 0))
    throw new Error(`${what} is not a positive number in the benchmark results (${String(value)})`);
  return value;
}

/** The costs measured by the repository's benchmarks under `root`. */
export function loadMeasuredCosts(root: string): MeasuredCosts {
  const ingest = readJson(root, 'services/ingest/bench/results/ingest.json');
  const ingestPerCore = positive(
    rec(rec(rec(ingest['webhook'])['saturation'])['cpu'])['eventsPerSecondPerServerCore'],
    'ingest webhook.saturation.cpu.eventsPerSecondPerServerCore',
  );

  const git = readJson(root, 'services/featurizer/bench/results/featurizer-git.json');
  const f = rec(git['featurizer']);
  const commits = positive(f['commits'], 'featurizer-git featurizer.commits');
  // CPU seconds of the featurizer's process (all threads) where the bench recorded them: with code
  // workers, handler time is wall time on more than one core. Older results have handler time only.
  const cpuSeconds =
    typeof f['cpuSeconds'] === 'number' ? positive(f['cpuSeconds'], 'featurizer.cpuSeconds') : undefined;
  const featurizerSeconds = cpuSeconds ?? positive(f['handlerSeconds'], 'featurizer-git featurizer.handlerSeconds');
  const featurizerBasis = cpuSeconds !== undefined ? 'CPU-seconds of the featurizer process' : 'handler-seconds';

  const inf = readJson(root, 'services/inference/bench/results/inference.json');
  const batched = (Array.isArray(inf['batched']) ? inf['batched'] : []).map(rec);
  // The request size nearest 128 rows: the bench's sizes change between runs (128, then 256 and 1024).
  const sizes = batched.map((b) => b['batch']).filter((n): n is number => typeof n === 'number');
  const batch = sizes.sort((a, b) => Math.abs(a - 128) - Math.abs(b - 128))[0];
  const atBatch = batched.find((b) => b['batch'] === batch);
  const usPerRow = positive(
    rec(rec(atBatch?.['predictBatch'])['server'])['cpuUsPerRow'],
    `inference batched[batch=${String(batch)}].predictBatch.server.cpuUsPerRow`,
  );

  return {
    ingest: {
      perCorePerS: ingestPerCore,
      source: `ingest.json: ${ingestPerCore} webhook events/s per server core (1-commit pushes, Kafka acks=all, Redis dedup)`,
    },
    featurizer: {
      perCorePerS: commits / featurizerSeconds,
      source: `featurizer-git.json: ${commits} express commits with hunks in ${featurizerSeconds} ${featurizerBasis} = ${(commits / featurizerSeconds).toFixed(1)} commits/s per core (tree-sitter, history state, ClickHouse/Redis/Kafka sinks)`,
    },
    inference: {
      perCorePerS: 1e6 / usPerRow,
      source: `inference.json: ${usPerRow} µs server CPU per row (PredictBatch, ${String(batch)}-row requests, GBDT 200 trees; stands in for stream mode, which has no benchmark of its own) = ${Math.round(1e6 / usPerRow)} rows/s per core`,
    },
    inferenceGpu: undefined,
  };
}
