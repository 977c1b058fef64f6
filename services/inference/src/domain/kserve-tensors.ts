// Open Inference Protocol (KServe v2) tensors <-> model rows. The protocol carries a tensor
// either as typed `contents` or as little-endian bytes in `raw_input_contents` (one entry per
// input, in input order); Triton's clients send raw bytes. Errors name the request field.
import { InvalidArgumentError } from '@omen/errors';

/** ONNX Runtime tensor types → the protocol's datatype names. */
export const KSERVE_DATATYPE: Readonly<Record<string, string>> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int64: 'INT64',
  int32: 'INT32',
  int16: 'INT16',
  int8: 'INT8',
  uint64: 'UINT64',
  uint32: 'UINT32',
  uint16: 'UINT16',
  uint8: 'UINT8',
  bool: 'BOOL',
  string: 'BYTES',
};

export interface InputTensor {
  name: string;
  datatype: string;
  shape: readonly (string | number)[];
  contents: { fp32_contents: readonly number[] } | null;
}

export interface DecodedInput {
  x: Float32Array;
  rows: number;
  /** Whether the caller used raw_input_contents (answered in kind). */
  raw: boolean;
}

export interface ModelSignature {
  inputName: string;
  width: number;
  featureNames: readonly string[];
  /** Largest row count one request may carry. */
  maxRows: number;
}

/** Validates a ModelInfer request's input against the model and returns its rows. */
export function decodeInput(
  inputs: readonly InputTensor[],
  raw: readonly Uint8Array[],
  sig: ModelSignature,
): DecodedInput {
  if (inputs.length !== 1) {
    throw new InvalidArgumentError(
      `the model takes exactly one input, "${sig.inputName}" FP32 [N, ${sig.width}]; got ${inputs.length}`,
      'inputs',
    );
  }
  const input = inputs[0]!;
  if (input.name !== sig.inputName)
    throw new InvalidArgumentError(
      `inputs[0].name is "${input.name}"; the model's input is "${sig.inputName}"`,
      'inputs[0].name',
    );
  if (input.datatype !== 'FP32')
    throw new InvalidArgumentError(
      `inputs[0].datatype is "${input.datatype}"; "${sig.inputName}" is FP32`,
      'inputs[0].datatype',
    );
  const shape = input.shape.map(Number);
  if (shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d))) {
    throw new InvalidArgumentError(
      `inputs[0].shape is [${input.shape.join(', ')}]; expected [N, ${sig.width}]`,
      'inputs[0].shape',
    );
  }
  const [rows, width] = shape as [number, number];
  if (width !== sig.width)
    throw new InvalidArgumentError(
      `inputs[0].shape is [${rows}, ${width}]: the model takes ${sig.width} features (${sig.featureNames.join(', ')})`,
      'inputs[0].shape',
    );
  if (rows < 1)
    throw new InvalidArgumentError(`inputs[0].shape has ${rows} rows; at least 1 expected`, 'inputs[0].shape');
  if (rows > sig.maxRows)
    throw new InvalidArgumentError(
      `inputs[0].shape has ${rows} rows; at most ${sig.maxRows} per request`,
      'inputs[0].shape',
    );
  const count = rows * width;
  const fromContents = input.contents?.fp32_contents ?? [];
  let x: Float32Array;
  let usedRaw: boolean;
  if (raw.length > 0) {
    if (fromContents.length > 0)
      throw new InvalidArgumentError(
        'inputs[0] has both contents and raw_input_contents; send one',
        'raw_input_contents',
      );
    if (raw.length !== 1)
      throw new InvalidArgumentError(`raw_input_contents has ${raw.length} entries for 1 input`, 'raw_input_contents');
    const bytes = raw[0]!;
    if (bytes.byteLength !== count * 4) {
      throw new InvalidArgumentError(
        `raw_input_contents[0] has ${bytes.byteLength} bytes; FP32 [${rows}, ${width}] needs ${count * 4}`,
        'raw_input_contents[0]',
      );
    }
    // A protobuf bytes field is a view into the message buffer at any offset; Float32Array needs
    // 4-byte alignment, so copy (a memcpy, cheap next to decoding the message).
    x = new Float32Array(count);
    new Uint8Array(x.buffer).set(bytes);
    usedRaw = true;
  } else {
    if (fromContents.length !== count) {
      throw new InvalidArgumentError(
        `inputs[0].contents.fp32_contents has ${fromContents.length} values; FP32 [${rows}, ${width}] needs ${count}`,
        'inputs[0].contents.fp32_contents',
      );
    }
    x = Float32Array.from(fromContents);
    usedRaw = false;
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(x[i]!)) {
      const r = Math.floor(i / width);
      const j = i % width;
      throw new InvalidArgumentError(
        `inputs[0][${r}, ${j}] (${sig.featureNames[j] ?? `feature ${j}`}) is ${x[i]}; features must be finite`,
        `inputs[0][${r},${j}]`,
      );
    }
  }
  return { x, rows, raw: usedRaw };
}

/** The typed `contents` field holding a tensor's data. */
export function contentsOf(
  type: string,
  data: ArrayLike<number | bigint | boolean | string>,
): Record<string, unknown[]> {
  const values = Array.from(data as ArrayLike<unknown>);
  switch (type) {
    case 'float32':
      return { fp32_contents: values };
    case 'float64':
      return { fp64_contents: values };
    case 'int64':
      return { int64_contents: values.map(String) };
    case 'uint64':
      return { uint64_contents: values.map(String) };
    case 'int32':
    case 'int16':
    case 'int8':
      return { int_contents: values };
    case 'uint32':
    case 'uint16':
    case 'uint8':
      return { uint_contents: values };
    case 'bool':
      return { bool_contents: values.map(Boolean) };
    default:
      return { bytes_contents: values.map((v) => Buffer.from(String(v))) };
  }
}

/** A typed array's bytes (little-endian on every platform Node ships for). */
export function rawBytes(data: ArrayBufferView): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
