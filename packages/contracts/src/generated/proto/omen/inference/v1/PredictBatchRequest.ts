// Original file: protos/omen/inference/v1/inference.proto

import type { PredictRequest as _omen_inference_v1_PredictRequest, PredictRequest__Output as _omen_inference_v1_PredictRequest__Output } from '../../../omen/inference/v1/PredictRequest.ts';
import type { PackedRows as _omen_inference_v1_PackedRows, PackedRows__Output as _omen_inference_v1_PackedRows__Output } from '../../../omen/inference/v1/PackedRows.ts';

export interface PredictBatchRequest {
  'requests'?: (_omen_inference_v1_PredictRequest)[];
  /**
   * Many rows of inline features in one block: the fast path for large batches, where decoding
   * one map per row costs more than the model. Results list `requests` first, then these rows.
   */
  'packed'?: (_omen_inference_v1_PackedRows | null);
}

export interface PredictBatchRequest__Output {
  'requests': (_omen_inference_v1_PredictRequest__Output)[];
  /**
   * Many rows of inline features in one block: the fast path for large batches, where decoding
   * one map per row costs more than the model. Results list `requests` first, then these rows.
   */
  'packed': (_omen_inference_v1_PackedRows__Output | null);
}
