// The shapes a prediction takes between the predictor (../predictor.ts, the orchestrator) and the
// adapters it calls or feeds (the featurizer fallback, the served-predictions log, stream mode):
// kept in the domain so an adapter never imports the orchestrator it is called by.
import type * as ort from 'onnxruntime-node';
import type { OmenError } from '@omen/errors';
import type { FeatureSet, OnlineFeatures } from '@omen/features';
import type { inferenceV1 } from '@omen/contracts';
import type { Contribution } from './contributions.ts';

export type PredictRequest = inferenceV1.PredictRequest__Output;
export type PredictResponse = inferenceV1.PredictResponse;

export type Outcome = { ok: true; response: PredictResponse } | { ok: false; error: OmenError };

export interface PredictContext {
  signal?: AbortSignal | undefined;
  /** Absolute deadline on the batcher's clock (µs). */
  deadlineUs?: number | undefined;
  traceId?: string | undefined;
  /**
   * The call answers a gRPC client (set by the handlers): its computed predictions go to the
   * served-predictions log. Stream mode's own calls leave it unset; they write their sink themselves.
   */
  served?: boolean | undefined;
}

/** What stream mode needs of the predictor: requests fail one by one, in their own outcome. */
export interface BatchPredictor {
  predictMany(
    requests: readonly PredictRequest[],
    ctx: PredictContext,
    fieldOf?: (i: number) => string,
  ): Promise<Outcome[]>;
}

/** Features for a commit the online store does not have (the featurizer's GetFeatures). */
export interface FeatureFallback {
  fetch(repoId: string, sha: string, set: FeatureSet, signal?: AbortSignal): Promise<OnlineFeatures | undefined>;
}

/** The loaded model version a prediction came from, as its sinks name it. */
export interface PredictionModel {
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly featureSet: FeatureSet;
    readonly featureNames: readonly string[];
  };
}

/** A computed prediction as the stream/log sinks and the cache see it. */
export interface ServedPrediction {
  model: PredictionModel;
  /** Where the features came from: the online store (a commit reference) or the request. */
  input: 'commit' | 'features';
  repoId: string;
  entityId: string;
  response: PredictResponse;
  /** Every feature's contribution, ranked; empty when the model gives none. */
  contributions: Contribution[];
  /** The row the model saw, in its feature order. */
  row: Float32Array;
  /** The values as given or stored (doubles; the stored ones may hold features of newer sets). */
  values: Readonly<Record<string, number>>;
}

/** One output tensor of a batch, or of one request's rows of it. */
export interface OutputTensor {
  name: string;
  type: ort.Tensor.Type;
  dims: number[];
  data: ort.Tensor.DataType;
}

export interface RunOutput {
  /** P(positive class) per row. */
  p1: Float32Array;
  /** Every output tensor, rows in input order. */
  tensors: OutputTensor[];
}

export const NOT_SCORES: ReadonlySet<string> = new Set(['probabilities', 'label']);

/** Per-row scalar outputs besides the probabilities and the label, by output name. */
function namedScores(tensors: readonly OutputTensor[], row: number, skip: ReadonlySet<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tensors) {
    if (skip.has(t.name) || (t.type !== 'float32' && t.type !== 'float64')) continue;
    const per = t.dims.slice(1).reduce((p, d) => p * d, 1);
    if (per !== 1) continue;
    out[t.name] = Number((t.data as Float32Array)[row]);
  }
  return out;
}

/** Row k's `scores`: the probability and every other per-row scalar output, by output name. */
export function modelScores(out: RunOutput, k: number): Record<string, number> {
  return { bug_probability: out.p1[k]!, ...namedScores(out.tensors, k, NOT_SCORES) };
}
