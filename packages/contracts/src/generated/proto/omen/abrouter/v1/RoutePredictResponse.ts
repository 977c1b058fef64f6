// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { PredictResponse as _omen_inference_v1_PredictResponse, PredictResponse__Output as _omen_inference_v1_PredictResponse__Output } from '../../../omen/inference/v1/PredictResponse.ts';

export interface RoutePredictResponse {
  'prediction'?: (_omen_inference_v1_PredictResponse | null);
  'experiment_id'?: (string);
  'arm'?: (string);
}

export interface RoutePredictResponse__Output {
  'prediction': (_omen_inference_v1_PredictResponse__Output | null);
  'experiment_id': (string);
  'arm': (string);
}
