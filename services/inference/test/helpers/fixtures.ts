import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { featureNames, featureRegistry } from '@omen/features';
import { LocalModelRegistry } from '@omen/model-registry';
import { buildOnnx, randomGbdt, seeded, type TestGbdt, type TestModel } from './onnx-models.ts';

export const JIT = featureRegistry.get('jit_change_metrics', 1);
export const JIT_NAMES = [...featureNames(JIT)];

/** Candidate split points per Kamei metric, in the ranges real commits have. */
export const JIT_THRESHOLDS: number[][] = JIT.features.map((f) => {
  if (f.type === 'boolean') return [0.5];
  if (f.name === 'entropy') return [0.5, 1, 1.5, 2, 3];
  if (f.name === 'age' || f.name === 'rexp') return [1, 5, 20, 60, 200];
  if (['la', 'ld', 'lt'].includes(f.name)) return [5, 20, 50, 100, 300, 1000];
  if (['exp', 'sexp', 'nuc'].includes(f.name)) return [2, 10, 50, 200, 1000];
  return [1, 2, 3, 5, 10];
});

/** A GBDT over jit_change_metrics@v1 with the trainer's export shape. */
export function jitGbdt(seed = 1, trees = 60, depth = 4): TestGbdt {
  return randomGbdt(JIT_NAMES, { trees, depth, thresholds: JIT_THRESHOLDS, seed, leafScale: 0.15 });
}

/** Valid jit_change_metrics@v1 values (integers for counts, 0/1 for fix). */
export function jitValues(seed: number): Record<string, number> {
  const rand = seeded(seed);
  const out: Record<string, number> = {};
  for (const f of JIT.features) {
    if (f.type === 'boolean') out[f.name] = rand() < 0.3 ? 1 : 0;
    else if (f.type === 'integer')
      out[f.name] = Math.floor(rand() * (['la', 'ld', 'lt', 'exp'].includes(f.name) ? 800 : 12));
    else out[f.name] = Math.round(rand() * 400) / 100;
  }
  return out;
}

export function jitRow(values: Record<string, number>): Float32Array {
  return Float32Array.from(JIT_NAMES, (n) => values[n]!);
}

/** P(positive) straight from ONNX Runtime, the reference the service must agree with. */
export async function referenceP1(bytes: Uint8Array, rows: Float32Array[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const width = rows[0]!.length;
  const x = new Float32Array(rows.length * width);
  rows.forEach((r, i) => x.set(r, i * width));
  const out = await session.run({ features: new ort.Tensor('float32', x, [rows.length, width]) });
  await session.release();
  const p = out['probabilities']!.data as Float32Array;
  return rows.map((_, i) => p[i * 2 + 1]!);
}

export interface TestRegistry {
  registry: LocalModelRegistry;
  dir: string;
  publish(
    name: string,
    version: string,
    model: TestModel,
    aliases?: string[],
    reference?: Record<string, number>,
  ): Promise<Uint8Array>;
}

/** A registry in a temporary directory, removed by `cleanup`. */
export async function createTestRegistry(cleanup: (fn: () => Promise<void>) => void): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'omen-registry-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const registry = new LocalModelRegistry(dir);
  return {
    registry,
    dir,
    async publish(name, version, model, aliases = [], reference) {
      const bytes = buildOnnx(model);
      await registry.publish(name, version, bytes, {
        featureSet: { name: 'jit_change_metrics', version: 1 },
        aliases,
        ...(reference ? { reference } : {}),
      });
      return bytes;
    },
  };
}
