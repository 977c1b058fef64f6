import { onnx, type OnnxTypes } from './proto.ts';

type INode = OnnxTypes.INodeProto;
type IAttr = OnnxTypes.IAttributeProto;
type ITensor = OnnxTypes.ITensorProto;
type IValueInfo = OnnxTypes.IValueInfoProto;

const AT = onnx.AttributeProto.AttributeType;
const DT = onnx.TensorProto.DataType;
const utf8 = new TextEncoder();

export type AttrValue =
  | { readonly f: number }
  | { readonly i: number }
  | { readonly s: string }
  | { readonly floats: readonly number[] }
  | { readonly ints: readonly number[] }
  | { readonly strings: readonly string[] }
  | { readonly t: ITensor };

function attribute(name: string, v: AttrValue): IAttr {
  if ('f' in v) return { name, type: AT.FLOAT, f: v.f };
  if ('i' in v) return { name, type: AT.INT, i: v.i };
  if ('s' in v) return { name, type: AT.STRING, s: utf8.encode(v.s) };
  if ('floats' in v) return { name, type: AT.FLOATS, floats: [...v.floats] };
  if ('ints' in v) return { name, type: AT.INTS, ints: [...v.ints] };
  if ('strings' in v) return { name, type: AT.STRINGS, strings: v.strings.map((s) => utf8.encode(s)) };
  return { name, type: AT.TENSOR, t: v.t };
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Record<string, AttrValue> = {},
  domain = '',
): INode {
  return {
    opType,
    domain,
    input: [...inputs],
    output: [...outputs],
    name: `${opType}_${outputs[0] ?? ''}`,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): ITensor {
  return { name, dataType: DT.FLOAT, dims: [...dims], floatData: Array.from(values, (v) => Math.fround(v)) };
}

export function boolTensor(name: string, dims: readonly number[], values: readonly boolean[]): ITensor {
  // TensorProto stores BOOL in int32_data.
  return { name, dataType: DT.BOOL, dims: [...dims], int32Data: values.map((b) => (b ? 1 : 0)) };
}

/** A tensor value-info with named symbolic dims (strings) or fixed dims (numbers). */
export function valueInfo(name: string, elemType: 'float' | 'int64', dims: readonly (number | string)[]): IValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType === 'float' ? DT.FLOAT : DT.INT64,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly INode[];
  readonly initializers: readonly ITensor[];
  readonly inputs: readonly IValueInfo[];
  readonly outputs: readonly IValueInfo[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Whether the graph uses ai.onnx.ml operators. */
  readonly usesMl: boolean;
}

/**
 * IR version 8 / opset 15 / ai.onnx.ml 3: the newest that onnx-proto 8.0.1 (ONNX 1.10 schema)
 * can describe; ONNX Runtime 1.30 loads them.
 */
export const IR_VERSION = 8;
export const OPSET = 15;
export const ML_OPSET = 3;

export function encodeModel(spec: GraphSpec): Uint8Array {
  const opsetImport = [{ domain: '', version: OPSET }];
  if (spec.usesMl) opsetImport.push({ domain: 'ai.onnx.ml', version: ML_OPSET });
  const model: OnnxTypes.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'omen-trainer-coordinator',
    producerVersion: '0.1.0',
    opsetImport,
    graph: {
      name: spec.name,
      node: [...spec.nodes],
      initializer: [...spec.initializers],
      input: [...spec.inputs],
      output: [...spec.outputs],
    },
    metadataProps: Object.entries(spec.metadata).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(model).finish();
}
