// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { PredictRequest as _omen_inference_v1_PredictRequest, PredictRequest__Output as _omen_inference_v1_PredictRequest__Output } from '../../../omen/inference/v1/PredictRequest.ts';

export interface RoutePredictRequest {
  'request'?: (_omen_inference_v1_PredictRequest | null);
  'experiment_id'?: (string);
  /**
   * Unit to assign; empty derives it from the request (its repo_id or sha).
   */
  'unit_id'?: (string);
}

export interface RoutePredictRequest__Output {
  'request': (_omen_inference_v1_PredictRequest__Output | null);
  'experiment_id': (string);
  /**
   * Unit to assign; empty derives it from the request (its repo_id or sha).
   */
  'unit_id': (string);
}
