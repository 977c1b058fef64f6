// Original file: protos/omen/inference/v1/inference.proto

import type { PredictRequest as _omen_inference_v1_PredictRequest, PredictRequest__Output as _omen_inference_v1_PredictRequest__Output } from '../../../omen/inference/v1/PredictRequest.ts';

export interface PredictBatchRequest {
  'requests'?: (_omen_inference_v1_PredictRequest)[];
}

export interface PredictBatchRequest__Output {
  'requests': (_omen_inference_v1_PredictRequest__Output)[];
}
