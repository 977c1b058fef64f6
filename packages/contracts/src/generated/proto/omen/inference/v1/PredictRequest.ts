// Original file: protos/omen/inference/v1/inference.proto

import type { CommitRef as _omen_inference_v1_CommitRef, CommitRef__Output as _omen_inference_v1_CommitRef__Output } from '../../../omen/inference/v1/CommitRef.ts';
import type { InlineFeatures as _omen_inference_v1_InlineFeatures, InlineFeatures__Output as _omen_inference_v1_InlineFeatures__Output } from '../../../omen/inference/v1/InlineFeatures.ts';

export interface PredictRequest {
  /**
   * Empty selects the default model ("jit-defect").
   */
  'model_name'?: (string);
  /**
   * Empty selects the model's production version.
   */
  'model_version'?: (string);
  'commit'?: (_omen_inference_v1_CommitRef | null);
  'features'?: (_omen_inference_v1_InlineFeatures | null);
  /**
   * Number of top contributing features to return; 0 returns none.
   */
  'top_k'?: (number);
  /**
   * Caller's id for the request, echoed back.
   */
  'request_id'?: (string);
  'input'?: "commit"|"features";
}

export interface PredictRequest__Output {
  /**
   * Empty selects the default model ("jit-defect").
   */
  'model_name': (string);
  /**
   * Empty selects the model's production version.
   */
  'model_version': (string);
  'commit'?: (_omen_inference_v1_CommitRef__Output | null);
  'features'?: (_omen_inference_v1_InlineFeatures__Output | null);
  /**
   * Number of top contributing features to return; 0 returns none.
   */
  'top_k': (number);
  /**
   * Caller's id for the request, echoed back.
   */
  'request_id': (string);
  'input'?: "commit"|"features";
}
