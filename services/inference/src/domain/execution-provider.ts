// Which execution provider a model can really run on, decided per model from its graph before a
// session is opened. ONNX Runtime's CUDA provider registers kernels for the default ONNX domain
// (MatMul, Add, Sigmoid, …) and none for the classical-ML domain `ai.onnx.ml` (TreeEnsemble*,
// LinearClassifier, ZipMap, …). Given cuda it still loads such a graph, placing those nodes on
// the CPU provider, and then copies every batch host → device → host around them: a tree ensemble
// "on the GPU" is a CPU model with transfer overhead, reported as cuda. So a graph with any node
// outside CUDA's domains is opened on CPU only, and the log and the provider label of
// omen_inference_model_info say so, per model.
import onnxProto from 'onnx-proto';

export type ExecutionProvider = 'cuda' | 'cpu';

/** Domains the CUDA provider has kernels for ('' is the default ONNX domain). */
const CUDA_DOMAINS = new Set(['', 'ai.onnx', 'com.microsoft']);

export interface GraphOp {
  readonly domain: string;
  readonly opType: string;
}

/** The (domain, op type) of every node of the model's main graph. */
export function graphOps(bytes: Uint8Array): GraphOp[] {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  return (model.graph?.node ?? []).map((n) => ({ domain: n.domain ?? '', opType: n.opType ?? '' }));
}

export interface ProviderPlan {
  /** Providers to try, in order. */
  readonly providers: readonly ExecutionProvider[];
  /** Why cuda was dropped, when it was asked for and dropped. */
  readonly cpuBecause: string | undefined;
}

/** The providers to open a model with, given those configured and the model's graph. */
export function planProviders(wanted: readonly ExecutionProvider[], ops: readonly GraphOp[]): ProviderPlan {
  const providers = wanted.length > 0 ? wanted : (['cpu'] as const);
  if (!providers.includes('cuda')) return { providers, cpuBecause: undefined };
  const cpuOnly = [...new Set(ops.filter((o) => !CUDA_DOMAINS.has(o.domain)).map((o) => `${o.domain}:${o.opType}`))];
  if (cpuOnly.length === 0) return { providers, cpuBecause: undefined };
  const all = cpuOnly.length > 0 && ops.every((o) => !CUDA_DOMAINS.has(o.domain));
  const cpuBecause = all
    ? `the graph has no CUDA kernels (${cpuOnly.join(', ')})`
    : `${cpuOnly.join(', ')} ha${cpuOnly.length > 1 ? 've' : 's'} no CUDA kernel; a split graph would copy every batch between host and device`;
  const rest = providers.filter((p) => p !== 'cuda');
  return { providers: rest.length > 0 ? rest : ['cpu'], cpuBecause };
}
