import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CommitRef as _omen_inference_v1_CommitRef, CommitRef__Output as _omen_inference_v1_CommitRef__Output } from './omen/inference/v1/CommitRef.ts';
import type { FeatureContribution as _omen_inference_v1_FeatureContribution, FeatureContribution__Output as _omen_inference_v1_FeatureContribution__Output } from './omen/inference/v1/FeatureContribution.ts';
import type { InferenceClient as _omen_inference_v1_InferenceClient, InferenceDefinition as _omen_inference_v1_InferenceDefinition } from './omen/inference/v1/Inference.ts';
import type { InlineFeatures as _omen_inference_v1_InlineFeatures, InlineFeatures__Output as _omen_inference_v1_InlineFeatures__Output } from './omen/inference/v1/InlineFeatures.ts';
import type { PackedPredictions as _omen_inference_v1_PackedPredictions, PackedPredictions__Output as _omen_inference_v1_PackedPredictions__Output } from './omen/inference/v1/PackedPredictions.ts';
import type { PackedRows as _omen_inference_v1_PackedRows, PackedRows__Output as _omen_inference_v1_PackedRows__Output } from './omen/inference/v1/PackedRows.ts';
import type { PredictBatchRequest as _omen_inference_v1_PredictBatchRequest, PredictBatchRequest__Output as _omen_inference_v1_PredictBatchRequest__Output } from './omen/inference/v1/PredictBatchRequest.ts';
import type { PredictBatchResponse as _omen_inference_v1_PredictBatchResponse, PredictBatchResponse__Output as _omen_inference_v1_PredictBatchResponse__Output } from './omen/inference/v1/PredictBatchResponse.ts';
import type { PredictError as _omen_inference_v1_PredictError, PredictError__Output as _omen_inference_v1_PredictError__Output } from './omen/inference/v1/PredictError.ts';
import type { PredictRequest as _omen_inference_v1_PredictRequest, PredictRequest__Output as _omen_inference_v1_PredictRequest__Output } from './omen/inference/v1/PredictRequest.ts';
import type { PredictResponse as _omen_inference_v1_PredictResponse, PredictResponse__Output as _omen_inference_v1_PredictResponse__Output } from './omen/inference/v1/PredictResponse.ts';
import type { PredictResult as _omen_inference_v1_PredictResult, PredictResult__Output as _omen_inference_v1_PredictResult__Output } from './omen/inference/v1/PredictResult.ts';
import type { RefactoringSuggestion as _omen_inference_v1_RefactoringSuggestion, RefactoringSuggestion__Output as _omen_inference_v1_RefactoringSuggestion__Output } from './omen/inference/v1/RefactoringSuggestion.ts';
import type { SecurityRisk as _omen_inference_v1_SecurityRisk, SecurityRisk__Output as _omen_inference_v1_SecurityRisk__Output } from './omen/inference/v1/SecurityRisk.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  omen: {
    inference: {
      v1: {
        CommitRef: MessageTypeDefinition<_omen_inference_v1_CommitRef, _omen_inference_v1_CommitRef__Output>
        FeatureContribution: MessageTypeDefinition<_omen_inference_v1_FeatureContribution, _omen_inference_v1_FeatureContribution__Output>
        Inference: SubtypeConstructor<typeof grpc.Client, _omen_inference_v1_InferenceClient> & { service: _omen_inference_v1_InferenceDefinition }
        InlineFeatures: MessageTypeDefinition<_omen_inference_v1_InlineFeatures, _omen_inference_v1_InlineFeatures__Output>
        PackedPredictions: MessageTypeDefinition<_omen_inference_v1_PackedPredictions, _omen_inference_v1_PackedPredictions__Output>
        PackedRows: MessageTypeDefinition<_omen_inference_v1_PackedRows, _omen_inference_v1_PackedRows__Output>
        PredictBatchRequest: MessageTypeDefinition<_omen_inference_v1_PredictBatchRequest, _omen_inference_v1_PredictBatchRequest__Output>
        PredictBatchResponse: MessageTypeDefinition<_omen_inference_v1_PredictBatchResponse, _omen_inference_v1_PredictBatchResponse__Output>
        PredictError: MessageTypeDefinition<_omen_inference_v1_PredictError, _omen_inference_v1_PredictError__Output>
        PredictRequest: MessageTypeDefinition<_omen_inference_v1_PredictRequest, _omen_inference_v1_PredictRequest__Output>
        PredictResponse: MessageTypeDefinition<_omen_inference_v1_PredictResponse, _omen_inference_v1_PredictResponse__Output>
        PredictResult: MessageTypeDefinition<_omen_inference_v1_PredictResult, _omen_inference_v1_PredictResult__Output>
        RefactoringSuggestion: MessageTypeDefinition<_omen_inference_v1_RefactoringSuggestion, _omen_inference_v1_RefactoringSuggestion__Output>
        SecurityRisk: MessageTypeDefinition<_omen_inference_v1_SecurityRisk, _omen_inference_v1_SecurityRisk__Output>
      }
    }
  }
}

