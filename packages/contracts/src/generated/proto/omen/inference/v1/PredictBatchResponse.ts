// Original file: protos/omen/inference/v1/inference.proto

import type { PredictResult as _omen_inference_v1_PredictResult, PredictResult__Output as _omen_inference_v1_PredictResult__Output } from '../../../omen/inference/v1/PredictResult.ts';
import type { PackedPredictions as _omen_inference_v1_PackedPredictions, PackedPredictions__Output as _omen_inference_v1_PackedPredictions__Output } from '../../../omen/inference/v1/PackedPredictions.ts';

export interface PredictBatchResponse {
  /**
   * One result per request, in request order (and per packed row unless packed_response).
   */
  'results'?: (_omen_inference_v1_PredictResult)[];
  /**
   * The packed rows' answers when PackedRows.packed_response was set.
   */
  'packed'?: (_omen_inference_v1_PackedPredictions | null);
}

export interface PredictBatchResponse__Output {
  /**
   * One result per request, in request order (and per packed row unless packed_response).
   */
  'results': (_omen_inference_v1_PredictResult__Output)[];
  /**
   * The packed rows' answers when PackedRows.packed_response was set.
   */
  'packed': (_omen_inference_v1_PackedPredictions__Output | null);
}
