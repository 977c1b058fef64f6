// ONNX Runtime on the trainer side: scoring exported or registered models on a holdout (the gate
// compares what will be served, not the trainer's float64 arithmetic), and checking that an
// imported model fits the serving contract inference enforces (services/inference/src/adapters/
// onnx-session.ts): one float32 input [N, F] with a dynamic batch, F = the feature set's width,
// a probability output, and, if the model records feature names, the set's order.
import * as ort from 'onnxruntime-node';
import { onnx } from '../domain/onnx/proto.ts';

const PROBABILITY_OUTPUT = 'probabilities';

export interface OnnxInfo {
  metadata: Record<string, string>;
  producer: string;
}

/** metadata_props and producer of an ONNX model; throws when the bytes are not an ONNX ModelProto. */
export function readOnnxInfo(bytes: Uint8Array): OnnxInfo {
  const model = onnx.ModelProto.decode(bytes);
  if (!model.graph) throw new Error('not an ONNX model: no graph');
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return { metadata, producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') };
}

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  // One thread: the trainer shares its cores with the training worker and the event loop.
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

function probabilityOutput(info: OnnxInfo): string {
  return info.metadata['probability_output'] ?? PROBABILITY_OUTPUT;
}

/**
 * P(positive) per row for row-major float64 `x` ([rows, width]), through ONNX Runtime in chunks.
 */
export async function scoreOnnx(
  bytes: Uint8Array,
  x: Float64Array,
  width: number,
  chunkRows = 8192,
): Promise<Float64Array> {
  const info = readOnnxInfo(bytes);
  const probName = probabilityOutput(info);
  const positive = Number(info.metadata['positive_class_index'] ?? '1');
  const s = await session(bytes);
  try {
    const rows = x.length / width;
    const out = new Float64Array(rows);
    for (let start = 0; start < rows; start += chunkRows) {
      const n = Math.min(chunkRows, rows - start);
      const input = Float32Array.from(x.subarray(start * width, (start + n) * width));
      const result = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', input, [n, width]) });
      const prob = result[probName];
      if (!prob) throw new Error(`model has no output "${probName}" (outputs: ${s.outputNames.join(', ')})`);
      const k = prob.dims[1] ?? 1;
      const data = prob.data as Float32Array;
      for (let i = 0; i < n; i++) out[start + i] = k === 1 ? data[i]! : data[i * k + positive]!;
    }
    return out;
  } finally {
    await s.release();
  }
}

/**
 * What is wrong with `bytes` as a model for a feature set whose inputs are `featureNames`, in
 * the order found (empty when it fits). Runs the model once on two rows of zeros.
 */
export async function onnxSignatureProblems(bytes: Uint8Array, featureNames: readonly string[]): Promise<string[]> {
  let info: OnnxInfo;
  try {
    info = readOnnxInfo(bytes);
  } catch (err) {
    return [`not a readable ONNX model: ${(err as Error).message}`];
  }
  let s: ort.InferenceSession;
  try {
    s = await session(bytes);
  } catch (err) {
    return [`ONNX Runtime cannot load it: ${(err as Error).message}`];
  }
  const width = featureNames.length;
  const problems: string[] = [];
  try {
    if (s.inputNames.length !== 1)
      problems.push(`expected one input, found ${s.inputNames.length} (${s.inputNames.join(', ')})`);
    const input = s.inputMetadata[0];
    if (input && !input.isTensor) problems.push(`input ${input.name} is not a tensor`);
    else if (input) {
      if (input.type !== 'float32') problems.push(`input ${input.name} is ${input.type}; float32 expected`);
      if (input.shape.length !== 2)
        problems.push(`input ${input.name} has rank ${input.shape.length}; [N, ${width}] expected`);
      const f = input.shape[1];
      if (typeof f === 'number' && f !== width)
        problems.push(
          `input ${input.name} takes ${f} features but the feature set has ${width} (${featureNames.join(', ')})`,
        );
      if (typeof input.shape[0] === 'number' && input.shape[0] !== -1)
        problems.push(`input ${input.name} has a fixed batch dimension ${input.shape[0]}; a dynamic one is needed`);
    }
    const probName = probabilityOutput(info);
    if (!s.outputNames.includes(probName))
      problems.push(
        `no output "${probName}" (outputs: ${s.outputNames.join(', ')}); export without ZipMap, or name the output in metadata "probability_output"`,
      );
    const recorded = info.metadata['feature_names'];
    if (recorded !== undefined) {
      let names: unknown;
      try {
        names = JSON.parse(recorded);
      } catch {
        names = undefined;
      }
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
        problems.push('metadata "feature_names" is not a JSON array of strings');
      else if (names.join('\u0000') !== featureNames.join('\u0000'))
        problems.push(
          `model records features [${names.join(', ')}] but the feature set orders them [${featureNames.join(', ')}]`,
        );
    }
    if (problems.length === 0) {
      const result = await s.run({
        [s.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(2 * width), [2, width]),
      });
      const prob = result[probName];
      const data = prob ? (prob.data as Float32Array) : undefined;
      if (!prob || prob.dims[0] !== 2 || !(prob.dims.length === 2 || prob.dims.length === 1))
        problems.push(`output "${probName}" has shape [${prob?.dims.join(', ') ?? ''}] for 2 rows; [2, k] expected`);
      else if (data && ![...data].every((p) => p >= 0 && p <= 1))
        problems.push(`output "${probName}" is not a probability (values ${[...data].slice(0, 4).join(', ')})`);
    }
  } catch (err) {
    problems.push(`running it on a zero batch failed: ${(err as Error).message}`);
  } finally {
    await s.release();
  }
  return problems;
}
