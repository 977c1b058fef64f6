// The Open Inference Protocol's HTTP/REST binding (KServe v2 "REST" section): the same models,
// batcher and limits as inference.GRPCInferenceService, with the protocol's JSON tensors and its
// binary-data extension. A JSON tensor's `data` may be flat or nested row-major; the rows are
// validated by the same decodeInput as the gRPC path, so both paths feed the model the same
// float32 row and answer the same numbers.
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, NotFoundError } from '@omen/errors';
import type { Scheduler } from '../domain/batcher.ts';
import { KSERVE_DATATYPE, decodeInput } from '../domain/kserve-tensors.ts';
import type { ModelManager } from '../adapters/model-manager.ts';
import type { ServedLog } from '../adapters/served-log.ts';

/** The protocol's `$inference_request` (JSON part). */
export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: { name: string; shape: number[]; datatype: string; parameters?: Record<string, unknown>; data?: unknown }[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface OipOutput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: { binary_data_size: number };
  data?: (number | boolean | string)[];
}

export interface OipInferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: OipOutput[];
}

export interface OipOptions {
  models: ModelManager;
  scheduler: Scheduler;
  defaultModel: string;
  serverName: string;
  serverVersion: string;
  /** Most rows in one infer request (INFERENCE_MAX_REQUEST_ROWS). */
  maxRows: number;
  log?: Pick<ServedLog, 'recordInfer'> | undefined;
}

const shapeOf = (shape: readonly (number | string)[]): number[] => shape.map((d) => (typeof d === 'number' ? d : -1));

/** Flattens nested row-major `data` into numbers; anything that is not a number is refused by position. */
function flatNumbers(data: unknown, field: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (Array.isArray(v)) {
      if (depth > 8) throw new InvalidArgumentError(`${field} is nested deeper than the tensor's shape`, field);
      for (const item of v) walk(item, depth + 1);
      return;
    }
    if (typeof v !== 'number')
      throw new InvalidArgumentError(
        `${field}[${out.length}] is ${v === null ? 'null' : typeof v}; FP32 data holds numbers`,
        field,
      );
    out.push(v);
  };
  walk(data, 0);
  return out;
}

/** Answers of the metadata and health endpoints. */
export function oipMetadata(options: OipOptions) {
  const { models } = options;
  const lookup = (name: string, version: string) => models.get(name, version);
  return {
    server: () => ({ name: options.serverName, version: options.serverVersion, extensions: ['binary_tensor_data'] }),
    serverReady: () => models.isReady(options.defaultModel),
    modelReady: (name: string, version: string): boolean => {
      try {
        lookup(name, version);
        return true;
      } catch (err) {
        if (err instanceof NotFoundError) return false;
        throw err;
      }
    },
    model: (name: string, version: string) => {
      const m = lookup(name, version).model;
      const versions = [
        ...new Set(
          models
            .served()
            .filter((s) => s.model === m.name)
            .map((s) => s.served.version),
        ),
      ];
      const tensor = (t: { name: string; type: string; shape: readonly (number | string)[] }) => ({
        name: t.name,
        datatype: KSERVE_DATATYPE[t.type] ?? t.type.toUpperCase(),
        shape: shapeOf(t.shape),
      });
      return {
        name: m.name,
        versions,
        platform: 'onnxruntime_onnx',
        inputs: m.inputs.map(tensor),
        outputs: m.outputs.map(tensor),
      };
    },
  };
}

export interface InferCallContext {
  signal?: AbortSignal;
  deadlineUs?: number;
  traceId?: string;
}

/**
 * Runs one infer request. `binary` is the bytes after the JSON header (binary-data extension),
 * empty for a plain JSON request. Returns the JSON response and, when any output asked for
 * binary data, the bytes to append after it.
 */
export async function oipInfer(
  options: OipOptions,
  name: string,
  version: string,
  req: OipInferRequest,
  binary: Buffer,
  ctx: InferCallContext,
): Promise<{ json: OipInferResponse; binary: Buffer[] }> {
  const started = performance.now();
  const served = options.models.get(name, version);
  const m = served.model;
  if (!Array.isArray(req.inputs)) throw new InvalidArgumentError('inputs must be an array of tensors', 'inputs');
  const raw: Uint8Array[] = [];
  const inputs = req.inputs.map((t, i) => {
    const size = t.parameters?.['binary_data_size'];
    if (size !== undefined) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > binary.byteLength) {
        throw new InvalidArgumentError(
          `inputs[${i}].parameters.binary_data_size must be a byte count within the ${binary.byteLength} binary bytes sent`,
          `inputs[${i}].parameters.binary_data_size`,
        );
      }
      if (t.data !== undefined)
        throw new InvalidArgumentError(
          `inputs[${i}] has both data and binary_data_size; send one`,
          `inputs[${i}].data`,
        );
      const offset = raw.reduce((n, b) => n + b.byteLength, 0);
      raw.push(binary.subarray(offset, offset + size));
      return { name: t.name, datatype: t.datatype, shape: t.shape, contents: null };
    }
    return {
      name: t.name,
      datatype: t.datatype,
      shape: t.shape,
      contents: { fp32_contents: flatNumbers(t.data ?? [], `inputs[${i}].data`) },
    };
  });
  const input = decodeInput(inputs, raw, {
    inputName: m.inputName,
    width: m.width,
    featureNames: m.featureNames,
    maxRows: options.maxRows,
  });
  const known = new Set(m.outputs.map((o) => o.name));
  const requested = req.outputs ?? [];
  requested.forEach((o, i) => {
    if (!known.has(o.name))
      throw new InvalidArgumentError(
        `outputs[${i}].name "${o.name}" is not an output of ${m.name} (outputs: ${[...known].join(', ')})`,
        `outputs[${i}].name`,
      );
  });
  const wanted = requested.length > 0 ? new Set(requested.map((o) => o.name)) : known;
  const binaryDefault = req.parameters?.['binary_data_output'] === true;
  const wantsBinary = (outputName: string) => {
    const flag = requested.find((o) => o.name === outputName)?.parameters?.['binary_data'];
    return typeof flag === 'boolean' ? flag : binaryDefault;
  };
  const out = await served.infer(
    { x: input.x, rows: input.rows },
    {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.deadlineUs !== undefined ? { deadlineUs: ctx.deadlineUs } : {}),
    },
  );
  options.log?.recordInfer(m, input.x, input.rows, out, performance.now() - started, ctx.traceId);
  const appended: Buffer[] = [];
  const outputs = out.tensors
    .filter((t) => wanted.has(t.name))
    .map((t): OipOutput => {
      const head = { name: t.name, shape: [...t.dims], datatype: KSERVE_DATATYPE[t.type] ?? t.type.toUpperCase() };
      const data = t.data as ArrayBufferView & ArrayLike<number | bigint | boolean | string>;
      if (wantsBinary(t.name)) {
        const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        appended.push(bytes);
        return { ...head, parameters: { binary_data_size: bytes.byteLength } };
      }
      // INT64 labels are small class indices: JSON numbers carry them exactly.
      return {
        ...head,
        data: Array.from(data as ArrayLike<unknown>, (v) =>
          typeof v === 'bigint' ? Number(v) : (v as number | boolean | string),
        ),
      };
    });
  return {
    json: { model_name: m.name, model_version: m.version, ...(req.id !== undefined ? { id: req.id } : {}), outputs },
    binary: appended,
  };
}
