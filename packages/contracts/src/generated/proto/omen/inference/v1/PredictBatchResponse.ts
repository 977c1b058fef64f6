// Original file: protos/omen/inference/v1/inference.proto

import type { PredictResult as _omen_inference_v1_PredictResult, PredictResult__Output as _omen_inference_v1_PredictResult__Output } from '../../../omen/inference/v1/PredictResult.ts';

export interface PredictBatchResponse {
  /**
   * One result per request, in request order.
   */
  'results'?: (_omen_inference_v1_PredictResult)[];
}

export interface PredictBatchResponse__Output {
  /**
   * One result per request, in request order.
   */
  'results': (_omen_inference_v1_PredictResult__Output)[];
}
