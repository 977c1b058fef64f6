import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { AbRouterClient as _omen_abrouter_v1_AbRouterClient, AbRouterDefinition as _omen_abrouter_v1_AbRouterDefinition } from './omen/abrouter/v1/AbRouter.ts';
import type { Arm as _omen_abrouter_v1_Arm, Arm__Output as _omen_abrouter_v1_Arm__Output } from './omen/abrouter/v1/Arm.ts';
import type { ArmOutcomes as _omen_abrouter_v1_ArmOutcomes, ArmOutcomes__Output as _omen_abrouter_v1_ArmOutcomes__Output } from './omen/abrouter/v1/ArmOutcomes.ts';
import type { ArmStats as _omen_abrouter_v1_ArmStats, ArmStats__Output as _omen_abrouter_v1_ArmStats__Output } from './omen/abrouter/v1/ArmStats.ts';
import type { Canary as _omen_abrouter_v1_Canary, Canary__Output as _omen_abrouter_v1_Canary__Output } from './omen/abrouter/v1/Canary.ts';
import type { CreateExperimentRequest as _omen_abrouter_v1_CreateExperimentRequest, CreateExperimentRequest__Output as _omen_abrouter_v1_CreateExperimentRequest__Output } from './omen/abrouter/v1/CreateExperimentRequest.ts';
import type { Decision as _omen_abrouter_v1_Decision, Decision__Output as _omen_abrouter_v1_Decision__Output } from './omen/abrouter/v1/Decision.ts';
import type { Estimate as _omen_abrouter_v1_Estimate, Estimate__Output as _omen_abrouter_v1_Estimate__Output } from './omen/abrouter/v1/Estimate.ts';
import type { Experiment as _omen_abrouter_v1_Experiment, Experiment__Output as _omen_abrouter_v1_Experiment__Output } from './omen/abrouter/v1/Experiment.ts';
import type { ExperimentSpec as _omen_abrouter_v1_ExperimentSpec, ExperimentSpec__Output as _omen_abrouter_v1_ExperimentSpec__Output } from './omen/abrouter/v1/ExperimentSpec.ts';
import type { GetExperimentRequest as _omen_abrouter_v1_GetExperimentRequest, GetExperimentRequest__Output as _omen_abrouter_v1_GetExperimentRequest__Output } from './omen/abrouter/v1/GetExperimentRequest.ts';
import type { Guardrail as _omen_abrouter_v1_Guardrail, Guardrail__Output as _omen_abrouter_v1_Guardrail__Output } from './omen/abrouter/v1/Guardrail.ts';
import type { ListExperimentsRequest as _omen_abrouter_v1_ListExperimentsRequest, ListExperimentsRequest__Output as _omen_abrouter_v1_ListExperimentsRequest__Output } from './omen/abrouter/v1/ListExperimentsRequest.ts';
import type { ListExperimentsResponse as _omen_abrouter_v1_ListExperimentsResponse, ListExperimentsResponse__Output as _omen_abrouter_v1_ListExperimentsResponse__Output } from './omen/abrouter/v1/ListExperimentsResponse.ts';
import type { MetricSummary as _omen_abrouter_v1_MetricSummary, MetricSummary__Output as _omen_abrouter_v1_MetricSummary__Output } from './omen/abrouter/v1/MetricSummary.ts';
import type { RoutePredictRequest as _omen_abrouter_v1_RoutePredictRequest, RoutePredictRequest__Output as _omen_abrouter_v1_RoutePredictRequest__Output } from './omen/abrouter/v1/RoutePredictRequest.ts';
import type { RoutePredictResponse as _omen_abrouter_v1_RoutePredictResponse, RoutePredictResponse__Output as _omen_abrouter_v1_RoutePredictResponse__Output } from './omen/abrouter/v1/RoutePredictResponse.ts';
import type { RouteRequest as _omen_abrouter_v1_RouteRequest, RouteRequest__Output as _omen_abrouter_v1_RouteRequest__Output } from './omen/abrouter/v1/RouteRequest.ts';
import type { RouteResponse as _omen_abrouter_v1_RouteResponse, RouteResponse__Output as _omen_abrouter_v1_RouteResponse__Output } from './omen/abrouter/v1/RouteResponse.ts';
import type { SampleRatio as _omen_abrouter_v1_SampleRatio, SampleRatio__Output as _omen_abrouter_v1_SampleRatio__Output } from './omen/abrouter/v1/SampleRatio.ts';
import type { SampleSize as _omen_abrouter_v1_SampleSize, SampleSize__Output as _omen_abrouter_v1_SampleSize__Output } from './omen/abrouter/v1/SampleSize.ts';
import type { SequentialTest as _omen_abrouter_v1_SequentialTest, SequentialTest__Output as _omen_abrouter_v1_SequentialTest__Output } from './omen/abrouter/v1/SequentialTest.ts';
import type { StopExperimentRequest as _omen_abrouter_v1_StopExperimentRequest, StopExperimentRequest__Output as _omen_abrouter_v1_StopExperimentRequest__Output } from './omen/abrouter/v1/StopExperimentRequest.ts';
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
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  omen: {
    abrouter: {
      v1: {
        AbRouter: SubtypeConstructor<typeof grpc.Client, _omen_abrouter_v1_AbRouterClient> & { service: _omen_abrouter_v1_AbRouterDefinition }
        Arm: MessageTypeDefinition<_omen_abrouter_v1_Arm, _omen_abrouter_v1_Arm__Output>
        ArmOutcomes: MessageTypeDefinition<_omen_abrouter_v1_ArmOutcomes, _omen_abrouter_v1_ArmOutcomes__Output>
        ArmStats: MessageTypeDefinition<_omen_abrouter_v1_ArmStats, _omen_abrouter_v1_ArmStats__Output>
        Canary: MessageTypeDefinition<_omen_abrouter_v1_Canary, _omen_abrouter_v1_Canary__Output>
        CreateExperimentRequest: MessageTypeDefinition<_omen_abrouter_v1_CreateExperimentRequest, _omen_abrouter_v1_CreateExperimentRequest__Output>
        Decision: MessageTypeDefinition<_omen_abrouter_v1_Decision, _omen_abrouter_v1_Decision__Output>
        Estimate: MessageTypeDefinition<_omen_abrouter_v1_Estimate, _omen_abrouter_v1_Estimate__Output>
        Experiment: MessageTypeDefinition<_omen_abrouter_v1_Experiment, _omen_abrouter_v1_Experiment__Output>
        ExperimentSpec: MessageTypeDefinition<_omen_abrouter_v1_ExperimentSpec, _omen_abrouter_v1_ExperimentSpec__Output>
        ExperimentState: EnumTypeDefinition
        GetExperimentRequest: MessageTypeDefinition<_omen_abrouter_v1_GetExperimentRequest, _omen_abrouter_v1_GetExperimentRequest__Output>
        Guardrail: MessageTypeDefinition<_omen_abrouter_v1_Guardrail, _omen_abrouter_v1_Guardrail__Output>
        GuardrailDirection: EnumTypeDefinition
        ListExperimentsRequest: MessageTypeDefinition<_omen_abrouter_v1_ListExperimentsRequest, _omen_abrouter_v1_ListExperimentsRequest__Output>
        ListExperimentsResponse: MessageTypeDefinition<_omen_abrouter_v1_ListExperimentsResponse, _omen_abrouter_v1_ListExperimentsResponse__Output>
        MetricSummary: MessageTypeDefinition<_omen_abrouter_v1_MetricSummary, _omen_abrouter_v1_MetricSummary__Output>
        RoutePredictRequest: MessageTypeDefinition<_omen_abrouter_v1_RoutePredictRequest, _omen_abrouter_v1_RoutePredictRequest__Output>
        RoutePredictResponse: MessageTypeDefinition<_omen_abrouter_v1_RoutePredictResponse, _omen_abrouter_v1_RoutePredictResponse__Output>
        RouteRequest: MessageTypeDefinition<_omen_abrouter_v1_RouteRequest, _omen_abrouter_v1_RouteRequest__Output>
        RouteResponse: MessageTypeDefinition<_omen_abrouter_v1_RouteResponse, _omen_abrouter_v1_RouteResponse__Output>
        SampleRatio: MessageTypeDefinition<_omen_abrouter_v1_SampleRatio, _omen_abrouter_v1_SampleRatio__Output>
        SampleSize: MessageTypeDefinition<_omen_abrouter_v1_SampleSize, _omen_abrouter_v1_SampleSize__Output>
        SequentialTest: MessageTypeDefinition<_omen_abrouter_v1_SequentialTest, _omen_abrouter_v1_SequentialTest__Output>
        StopExperimentRequest: MessageTypeDefinition<_omen_abrouter_v1_StopExperimentRequest, _omen_abrouter_v1_StopExperimentRequest__Output>
      }
    }
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

