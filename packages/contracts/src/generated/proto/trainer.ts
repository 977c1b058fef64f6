import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { ArtifactChunk as _omen_trainer_v1_ArtifactChunk, ArtifactChunk__Output as _omen_trainer_v1_ArtifactChunk__Output } from './omen/trainer/v1/ArtifactChunk.ts';
import type { ArtifactHeader as _omen_trainer_v1_ArtifactHeader, ArtifactHeader__Output as _omen_trainer_v1_ArtifactHeader__Output } from './omen/trainer/v1/ArtifactHeader.ts';
import type { CancelRunRequest as _omen_trainer_v1_CancelRunRequest, CancelRunRequest__Output as _omen_trainer_v1_CancelRunRequest__Output } from './omen/trainer/v1/CancelRunRequest.ts';
import type { CandidateScore as _omen_trainer_v1_CandidateScore, CandidateScore__Output as _omen_trainer_v1_CandidateScore__Output } from './omen/trainer/v1/CandidateScore.ts';
import type { DataCheck as _omen_trainer_v1_DataCheck, DataCheck__Output as _omen_trainer_v1_DataCheck__Output } from './omen/trainer/v1/DataCheck.ts';
import type { GateCheck as _omen_trainer_v1_GateCheck, GateCheck__Output as _omen_trainer_v1_GateCheck__Output } from './omen/trainer/v1/GateCheck.ts';
import type { GateResult as _omen_trainer_v1_GateResult, GateResult__Output as _omen_trainer_v1_GateResult__Output } from './omen/trainer/v1/GateResult.ts';
import type { GetAliasesRequest as _omen_trainer_v1_GetAliasesRequest, GetAliasesRequest__Output as _omen_trainer_v1_GetAliasesRequest__Output } from './omen/trainer/v1/GetAliasesRequest.ts';
import type { GetAliasesResponse as _omen_trainer_v1_GetAliasesResponse, GetAliasesResponse__Output as _omen_trainer_v1_GetAliasesResponse__Output } from './omen/trainer/v1/GetAliasesResponse.ts';
import type { GetArtifactRequest as _omen_trainer_v1_GetArtifactRequest, GetArtifactRequest__Output as _omen_trainer_v1_GetArtifactRequest__Output } from './omen/trainer/v1/GetArtifactRequest.ts';
import type { GetModelRequest as _omen_trainer_v1_GetModelRequest, GetModelRequest__Output as _omen_trainer_v1_GetModelRequest__Output } from './omen/trainer/v1/GetModelRequest.ts';
import type { GetRunRequest as _omen_trainer_v1_GetRunRequest, GetRunRequest__Output as _omen_trainer_v1_GetRunRequest__Output } from './omen/trainer/v1/GetRunRequest.ts';
import type { ImportModelRequest as _omen_trainer_v1_ImportModelRequest, ImportModelRequest__Output as _omen_trainer_v1_ImportModelRequest__Output } from './omen/trainer/v1/ImportModelRequest.ts';
import type { ListModelsRequest as _omen_trainer_v1_ListModelsRequest, ListModelsRequest__Output as _omen_trainer_v1_ListModelsRequest__Output } from './omen/trainer/v1/ListModelsRequest.ts';
import type { ListModelsResponse as _omen_trainer_v1_ListModelsResponse, ListModelsResponse__Output as _omen_trainer_v1_ListModelsResponse__Output } from './omen/trainer/v1/ListModelsResponse.ts';
import type { ListRunsRequest as _omen_trainer_v1_ListRunsRequest, ListRunsRequest__Output as _omen_trainer_v1_ListRunsRequest__Output } from './omen/trainer/v1/ListRunsRequest.ts';
import type { ListRunsResponse as _omen_trainer_v1_ListRunsResponse, ListRunsResponse__Output as _omen_trainer_v1_ListRunsResponse__Output } from './omen/trainer/v1/ListRunsResponse.ts';
import type { ListVersionsRequest as _omen_trainer_v1_ListVersionsRequest, ListVersionsRequest__Output as _omen_trainer_v1_ListVersionsRequest__Output } from './omen/trainer/v1/ListVersionsRequest.ts';
import type { ListVersionsResponse as _omen_trainer_v1_ListVersionsResponse, ListVersionsResponse__Output as _omen_trainer_v1_ListVersionsResponse__Output } from './omen/trainer/v1/ListVersionsResponse.ts';
import type { ModelSummary as _omen_trainer_v1_ModelSummary, ModelSummary__Output as _omen_trainer_v1_ModelSummary__Output } from './omen/trainer/v1/ModelSummary.ts';
import type { ModelVersion as _omen_trainer_v1_ModelVersion, ModelVersion__Output as _omen_trainer_v1_ModelVersion__Output } from './omen/trainer/v1/ModelVersion.ts';
import type { PromoteRequest as _omen_trainer_v1_PromoteRequest, PromoteRequest__Output as _omen_trainer_v1_PromoteRequest__Output } from './omen/trainer/v1/PromoteRequest.ts';
import type { PromoteResponse as _omen_trainer_v1_PromoteResponse, PromoteResponse__Output as _omen_trainer_v1_PromoteResponse__Output } from './omen/trainer/v1/PromoteResponse.ts';
import type { RollbackRequest as _omen_trainer_v1_RollbackRequest, RollbackRequest__Output as _omen_trainer_v1_RollbackRequest__Output } from './omen/trainer/v1/RollbackRequest.ts';
import type { RollbackResponse as _omen_trainer_v1_RollbackResponse, RollbackResponse__Output as _omen_trainer_v1_RollbackResponse__Output } from './omen/trainer/v1/RollbackResponse.ts';
import type { Run as _omen_trainer_v1_Run, Run__Output as _omen_trainer_v1_Run__Output } from './omen/trainer/v1/Run.ts';
import type { RunEvent as _omen_trainer_v1_RunEvent, RunEvent__Output as _omen_trainer_v1_RunEvent__Output } from './omen/trainer/v1/RunEvent.ts';
import type { StartRunRequest as _omen_trainer_v1_StartRunRequest, StartRunRequest__Output as _omen_trainer_v1_StartRunRequest__Output } from './omen/trainer/v1/StartRunRequest.ts';
import type { TrainerClient as _omen_trainer_v1_TrainerClient, TrainerDefinition as _omen_trainer_v1_TrainerDefinition } from './omen/trainer/v1/Trainer.ts';
import type { WatchRunRequest as _omen_trainer_v1_WatchRunRequest, WatchRunRequest__Output as _omen_trainer_v1_WatchRunRequest__Output } from './omen/trainer/v1/WatchRunRequest.ts';

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
    trainer: {
      v1: {
        ArtifactChunk: MessageTypeDefinition<_omen_trainer_v1_ArtifactChunk, _omen_trainer_v1_ArtifactChunk__Output>
        ArtifactHeader: MessageTypeDefinition<_omen_trainer_v1_ArtifactHeader, _omen_trainer_v1_ArtifactHeader__Output>
        CancelRunRequest: MessageTypeDefinition<_omen_trainer_v1_CancelRunRequest, _omen_trainer_v1_CancelRunRequest__Output>
        CandidateScore: MessageTypeDefinition<_omen_trainer_v1_CandidateScore, _omen_trainer_v1_CandidateScore__Output>
        DataCheck: MessageTypeDefinition<_omen_trainer_v1_DataCheck, _omen_trainer_v1_DataCheck__Output>
        GateCheck: MessageTypeDefinition<_omen_trainer_v1_GateCheck, _omen_trainer_v1_GateCheck__Output>
        GateResult: MessageTypeDefinition<_omen_trainer_v1_GateResult, _omen_trainer_v1_GateResult__Output>
        GetAliasesRequest: MessageTypeDefinition<_omen_trainer_v1_GetAliasesRequest, _omen_trainer_v1_GetAliasesRequest__Output>
        GetAliasesResponse: MessageTypeDefinition<_omen_trainer_v1_GetAliasesResponse, _omen_trainer_v1_GetAliasesResponse__Output>
        GetArtifactRequest: MessageTypeDefinition<_omen_trainer_v1_GetArtifactRequest, _omen_trainer_v1_GetArtifactRequest__Output>
        GetModelRequest: MessageTypeDefinition<_omen_trainer_v1_GetModelRequest, _omen_trainer_v1_GetModelRequest__Output>
        GetRunRequest: MessageTypeDefinition<_omen_trainer_v1_GetRunRequest, _omen_trainer_v1_GetRunRequest__Output>
        ImportModelRequest: MessageTypeDefinition<_omen_trainer_v1_ImportModelRequest, _omen_trainer_v1_ImportModelRequest__Output>
        ListModelsRequest: MessageTypeDefinition<_omen_trainer_v1_ListModelsRequest, _omen_trainer_v1_ListModelsRequest__Output>
        ListModelsResponse: MessageTypeDefinition<_omen_trainer_v1_ListModelsResponse, _omen_trainer_v1_ListModelsResponse__Output>
        ListRunsRequest: MessageTypeDefinition<_omen_trainer_v1_ListRunsRequest, _omen_trainer_v1_ListRunsRequest__Output>
        ListRunsResponse: MessageTypeDefinition<_omen_trainer_v1_ListRunsResponse, _omen_trainer_v1_ListRunsResponse__Output>
        ListVersionsRequest: MessageTypeDefinition<_omen_trainer_v1_ListVersionsRequest, _omen_trainer_v1_ListVersionsRequest__Output>
        ListVersionsResponse: MessageTypeDefinition<_omen_trainer_v1_ListVersionsResponse, _omen_trainer_v1_ListVersionsResponse__Output>
        ModelStage: EnumTypeDefinition
        ModelSummary: MessageTypeDefinition<_omen_trainer_v1_ModelSummary, _omen_trainer_v1_ModelSummary__Output>
        ModelVersion: MessageTypeDefinition<_omen_trainer_v1_ModelVersion, _omen_trainer_v1_ModelVersion__Output>
        PromoteRequest: MessageTypeDefinition<_omen_trainer_v1_PromoteRequest, _omen_trainer_v1_PromoteRequest__Output>
        PromoteResponse: MessageTypeDefinition<_omen_trainer_v1_PromoteResponse, _omen_trainer_v1_PromoteResponse__Output>
        RollbackRequest: MessageTypeDefinition<_omen_trainer_v1_RollbackRequest, _omen_trainer_v1_RollbackRequest__Output>
        RollbackResponse: MessageTypeDefinition<_omen_trainer_v1_RollbackResponse, _omen_trainer_v1_RollbackResponse__Output>
        Run: MessageTypeDefinition<_omen_trainer_v1_Run, _omen_trainer_v1_Run__Output>
        RunEvent: MessageTypeDefinition<_omen_trainer_v1_RunEvent, _omen_trainer_v1_RunEvent__Output>
        RunState: EnumTypeDefinition
        StartRunRequest: MessageTypeDefinition<_omen_trainer_v1_StartRunRequest, _omen_trainer_v1_StartRunRequest__Output>
        Trainer: SubtypeConstructor<typeof grpc.Client, _omen_trainer_v1_TrainerClient> & { service: _omen_trainer_v1_TrainerDefinition }
        WatchRunRequest: MessageTypeDefinition<_omen_trainer_v1_WatchRunRequest, _omen_trainer_v1_WatchRunRequest__Output>
      }
    }
  }
}

