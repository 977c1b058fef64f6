// Original file: protos/omen/inference/v1/inference.proto

import type { PredictResponse as _omen_inference_v1_PredictResponse, PredictResponse__Output as _omen_inference_v1_PredictResponse__Output } from '../../../omen/inference/v1/PredictResponse.ts';
import type { PredictError as _omen_inference_v1_PredictError, PredictError__Output as _omen_inference_v1_PredictError__Output } from '../../../omen/inference/v1/PredictError.ts';

export interface PredictResult {
  /**
   * Position of the request in PredictBatchRequest.requests.
   */
  'index'?: (number);
  'prediction'?: (_omen_inference_v1_PredictResponse | null);
  'error'?: (_omen_inference_v1_PredictError | null);
  'outcome'?: "prediction"|"error";
}

export interface PredictResult__Output {
  /**
   * Position of the request in PredictBatchRequest.requests.
   */
  'index': (number);
  'prediction'?: (_omen_inference_v1_PredictResponse__Output | null);
  'error'?: (_omen_inference_v1_PredictError__Output | null);
  'outcome'?: "prediction"|"error";
}
