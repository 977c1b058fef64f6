// Original file: protos/omen/trainer/v1/trainer.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ArtifactChunk as _omen_trainer_v1_ArtifactChunk, ArtifactChunk__Output as _omen_trainer_v1_ArtifactChunk__Output } from '../../../omen/trainer/v1/ArtifactChunk.ts';
import type { CancelRunRequest as _omen_trainer_v1_CancelRunRequest, CancelRunRequest__Output as _omen_trainer_v1_CancelRunRequest__Output } from '../../../omen/trainer/v1/CancelRunRequest.ts';
import type { GetAliasesRequest as _omen_trainer_v1_GetAliasesRequest, GetAliasesRequest__Output as _omen_trainer_v1_GetAliasesRequest__Output } from '../../../omen/trainer/v1/GetAliasesRequest.ts';
import type { GetAliasesResponse as _omen_trainer_v1_GetAliasesResponse, GetAliasesResponse__Output as _omen_trainer_v1_GetAliasesResponse__Output } from '../../../omen/trainer/v1/GetAliasesResponse.ts';
import type { GetArtifactRequest as _omen_trainer_v1_GetArtifactRequest, GetArtifactRequest__Output as _omen_trainer_v1_GetArtifactRequest__Output } from '../../../omen/trainer/v1/GetArtifactRequest.ts';
import type { GetModelRequest as _omen_trainer_v1_GetModelRequest, GetModelRequest__Output as _omen_trainer_v1_GetModelRequest__Output } from '../../../omen/trainer/v1/GetModelRequest.ts';
import type { GetRunRequest as _omen_trainer_v1_GetRunRequest, GetRunRequest__Output as _omen_trainer_v1_GetRunRequest__Output } from '../../../omen/trainer/v1/GetRunRequest.ts';
import type { ImportModelRequest as _omen_trainer_v1_ImportModelRequest, ImportModelRequest__Output as _omen_trainer_v1_ImportModelRequest__Output } from '../../../omen/trainer/v1/ImportModelRequest.ts';
import type { ListModelsRequest as _omen_trainer_v1_ListModelsRequest, ListModelsRequest__Output as _omen_trainer_v1_ListModelsRequest__Output } from '../../../omen/trainer/v1/ListModelsRequest.ts';
import type { ListModelsResponse as _omen_trainer_v1_ListModelsResponse, ListModelsResponse__Output as _omen_trainer_v1_ListModelsResponse__Output } from '../../../omen/trainer/v1/ListModelsResponse.ts';
import type { ListRunsRequest as _omen_trainer_v1_ListRunsRequest, ListRunsRequest__Output as _omen_trainer_v1_ListRunsRequest__Output } from '../../../omen/trainer/v1/ListRunsRequest.ts';
import type { ListRunsResponse as _omen_trainer_v1_ListRunsResponse, ListRunsResponse__Output as _omen_trainer_v1_ListRunsResponse__Output } from '../../../omen/trainer/v1/ListRunsResponse.ts';
import type { ListVersionsRequest as _omen_trainer_v1_ListVersionsRequest, ListVersionsRequest__Output as _omen_trainer_v1_ListVersionsRequest__Output } from '../../../omen/trainer/v1/ListVersionsRequest.ts';
import type { ListVersionsResponse as _omen_trainer_v1_ListVersionsResponse, ListVersionsResponse__Output as _omen_trainer_v1_ListVersionsResponse__Output } from '../../../omen/trainer/v1/ListVersionsResponse.ts';
import type { ModelVersion as _omen_trainer_v1_ModelVersion, ModelVersion__Output as _omen_trainer_v1_ModelVersion__Output } from '../../../omen/trainer/v1/ModelVersion.ts';
import type { PromoteRequest as _omen_trainer_v1_PromoteRequest, PromoteRequest__Output as _omen_trainer_v1_PromoteRequest__Output } from '../../../omen/trainer/v1/PromoteRequest.ts';
import type { PromoteResponse as _omen_trainer_v1_PromoteResponse, PromoteResponse__Output as _omen_trainer_v1_PromoteResponse__Output } from '../../../omen/trainer/v1/PromoteResponse.ts';
import type { RollbackRequest as _omen_trainer_v1_RollbackRequest, RollbackRequest__Output as _omen_trainer_v1_RollbackRequest__Output } from '../../../omen/trainer/v1/RollbackRequest.ts';
import type { RollbackResponse as _omen_trainer_v1_RollbackResponse, RollbackResponse__Output as _omen_trainer_v1_RollbackResponse__Output } from '../../../omen/trainer/v1/RollbackResponse.ts';
import type { Run as _omen_trainer_v1_Run, Run__Output as _omen_trainer_v1_Run__Output } from '../../../omen/trainer/v1/Run.ts';
import type { RunEvent as _omen_trainer_v1_RunEvent, RunEvent__Output as _omen_trainer_v1_RunEvent__Output } from '../../../omen/trainer/v1/RunEvent.ts';
import type { StartRunRequest as _omen_trainer_v1_StartRunRequest, StartRunRequest__Output as _omen_trainer_v1_StartRunRequest__Output } from '../../../omen/trainer/v1/StartRunRequest.ts';
import type { WatchRunRequest as _omen_trainer_v1_WatchRunRequest, WatchRunRequest__Output as _omen_trainer_v1_WatchRunRequest__Output } from '../../../omen/trainer/v1/WatchRunRequest.ts';

export interface TrainerClient extends grpc.Client {
  /**
   * Stops a pending or running run (state RUN_STATE_CANCELLED); a finished run is left as it is.
   */
  CancelRun(argument: _omen_trainer_v1_CancelRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  CancelRun(argument: _omen_trainer_v1_CancelRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  CancelRun(argument: _omen_trainer_v1_CancelRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  CancelRun(argument: _omen_trainer_v1_CancelRunRequest, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  /**
   * Stops a pending or running run (state RUN_STATE_CANCELLED); a finished run is left as it is.
   */
  cancelRun(argument: _omen_trainer_v1_CancelRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  cancelRun(argument: _omen_trainer_v1_CancelRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  cancelRun(argument: _omen_trainer_v1_CancelRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  cancelRun(argument: _omen_trainer_v1_CancelRunRequest, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  
  /**
   * alias → version of one model ("champion", "challenger", ...); empty for a model without
   * aliases, and for an unknown model (as the registry itself answers).
   */
  GetAliases(argument: _omen_trainer_v1_GetAliasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  GetAliases(argument: _omen_trainer_v1_GetAliasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  GetAliases(argument: _omen_trainer_v1_GetAliasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  GetAliases(argument: _omen_trainer_v1_GetAliasesRequest, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * alias → version of one model ("champion", "challenger", ...); empty for a model without
   * aliases, and for an unknown model (as the registry itself answers).
   */
  getAliases(argument: _omen_trainer_v1_GetAliasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  getAliases(argument: _omen_trainer_v1_GetAliasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  getAliases(argument: _omen_trainer_v1_GetAliasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  getAliases(argument: _omen_trainer_v1_GetAliasesRequest, callback: grpc.requestCallback<_omen_trainer_v1_GetAliasesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A version's artifact, from whichever store the trainer keeps artifacts in (local or S3), so a
   * replica needs only the trainer's address: first one ArtifactChunk with the header (the
   * record, the sha256 and size of the bytes to come), then the bytes in order, at most 1 MiB per
   * chunk. The receiver must check size and sha256 before using the bytes. NOT_FOUND names the
   * missing model, version or alias; DATA_LOSS when the stored artifact does not hash to its
   * record. A read: open unless the server requires the token on every RPC (GRPC_REQUIRE_AUTH).
   */
  GetArtifact(argument: _omen_trainer_v1_GetArtifactRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_ArtifactChunk__Output>;
  GetArtifact(argument: _omen_trainer_v1_GetArtifactRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_ArtifactChunk__Output>;
  /**
   * A version's artifact, from whichever store the trainer keeps artifacts in (local or S3), so a
   * replica needs only the trainer's address: first one ArtifactChunk with the header (the
   * record, the sha256 and size of the bytes to come), then the bytes in order, at most 1 MiB per
   * chunk. The receiver must check size and sha256 before using the bytes. NOT_FOUND names the
   * missing model, version or alias; DATA_LOSS when the stored artifact does not hash to its
   * record. A read: open unless the server requires the token on every RPC (GRPC_REQUIRE_AUTH).
   */
  getArtifact(argument: _omen_trainer_v1_GetArtifactRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_ArtifactChunk__Output>;
  getArtifact(argument: _omen_trainer_v1_GetArtifactRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_ArtifactChunk__Output>;
  
  /**
   * One model version; the production version when no version is given.
   */
  GetModel(argument: _omen_trainer_v1_GetModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _omen_trainer_v1_GetModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _omen_trainer_v1_GetModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _omen_trainer_v1_GetModelRequest, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  /**
   * One model version; the production version when no version is given.
   */
  getModel(argument: _omen_trainer_v1_GetModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  getModel(argument: _omen_trainer_v1_GetModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  getModel(argument: _omen_trainer_v1_GetModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  getModel(argument: _omen_trainer_v1_GetModelRequest, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  
  GetRun(argument: _omen_trainer_v1_GetRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _omen_trainer_v1_GetRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _omen_trainer_v1_GetRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _omen_trainer_v1_GetRunRequest, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  getRun(argument: _omen_trainer_v1_GetRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  getRun(argument: _omen_trainer_v1_GetRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  getRun(argument: _omen_trainer_v1_GetRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  getRun(argument: _omen_trainer_v1_GetRunRequest, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  
  /**
   * Registers an externally trained ONNX model as a new version (stage candidate).
   */
  ImportModel(argument: _omen_trainer_v1_ImportModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  ImportModel(argument: _omen_trainer_v1_ImportModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  ImportModel(argument: _omen_trainer_v1_ImportModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  ImportModel(argument: _omen_trainer_v1_ImportModelRequest, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  /**
   * Registers an externally trained ONNX model as a new version (stage candidate).
   */
  importModel(argument: _omen_trainer_v1_ImportModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  importModel(argument: _omen_trainer_v1_ImportModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  importModel(argument: _omen_trainer_v1_ImportModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  importModel(argument: _omen_trainer_v1_ImportModelRequest, callback: grpc.requestCallback<_omen_trainer_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
  
  ListModels(argument: _omen_trainer_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _omen_trainer_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _omen_trainer_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _omen_trainer_v1_ListModelsRequest, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _omen_trainer_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _omen_trainer_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _omen_trainer_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _omen_trainer_v1_ListModelsRequest, callback: grpc.requestCallback<_omen_trainer_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Runs, newest first.
   */
  ListRuns(argument: _omen_trainer_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _omen_trainer_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _omen_trainer_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _omen_trainer_v1_ListRunsRequest, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Runs, newest first.
   */
  listRuns(argument: _omen_trainer_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _omen_trainer_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _omen_trainer_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _omen_trainer_v1_ListRunsRequest, callback: grpc.requestCallback<_omen_trainer_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every version of one model, oldest first.
   */
  ListVersions(argument: _omen_trainer_v1_ListVersionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  ListVersions(argument: _omen_trainer_v1_ListVersionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  ListVersions(argument: _omen_trainer_v1_ListVersionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  ListVersions(argument: _omen_trainer_v1_ListVersionsRequest, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Every version of one model, oldest first.
   */
  listVersions(argument: _omen_trainer_v1_ListVersionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  listVersions(argument: _omen_trainer_v1_ListVersionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  listVersions(argument: _omen_trainer_v1_ListVersionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  listVersions(argument: _omen_trainer_v1_ListVersionsRequest, callback: grpc.requestCallback<_omen_trainer_v1_ListVersionsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Makes a registered version the production version of its model.
   */
  Promote(argument: _omen_trainer_v1_PromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  Promote(argument: _omen_trainer_v1_PromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  Promote(argument: _omen_trainer_v1_PromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  Promote(argument: _omen_trainer_v1_PromoteRequest, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Makes a registered version the production version of its model.
   */
  promote(argument: _omen_trainer_v1_PromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _omen_trainer_v1_PromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _omen_trainer_v1_PromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  promote(argument: _omen_trainer_v1_PromoteRequest, callback: grpc.requestCallback<_omen_trainer_v1_PromoteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Returns production to an earlier version (the previous production one by default).
   */
  Rollback(argument: _omen_trainer_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _omen_trainer_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _omen_trainer_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _omen_trainer_v1_RollbackRequest, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Returns production to an earlier version (the previous production one by default).
   */
  rollback(argument: _omen_trainer_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _omen_trainer_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _omen_trainer_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _omen_trainer_v1_RollbackRequest, callback: grpc.requestCallback<_omen_trainer_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Starts a training run; returns at once with the run in RUN_STATE_PENDING.
   */
  StartRun(argument: _omen_trainer_v1_StartRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _omen_trainer_v1_StartRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _omen_trainer_v1_StartRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _omen_trainer_v1_StartRunRequest, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  /**
   * Starts a training run; returns at once with the run in RUN_STATE_PENDING.
   */
  startRun(argument: _omen_trainer_v1_StartRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _omen_trainer_v1_StartRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _omen_trainer_v1_StartRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _omen_trainer_v1_StartRunRequest, callback: grpc.requestCallback<_omen_trainer_v1_Run__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the run's progress from its current state until it ends.
   */
  WatchRun(argument: _omen_trainer_v1_WatchRunRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_RunEvent__Output>;
  WatchRun(argument: _omen_trainer_v1_WatchRunRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_RunEvent__Output>;
  /**
   * Streams the run's progress from its current state until it ends.
   */
  watchRun(argument: _omen_trainer_v1_WatchRunRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_RunEvent__Output>;
  watchRun(argument: _omen_trainer_v1_WatchRunRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_trainer_v1_RunEvent__Output>;
  
}

export interface TrainerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Stops a pending or running run (state RUN_STATE_CANCELLED); a finished run is left as it is.
   */
  CancelRun: grpc.handleUnaryCall<_omen_trainer_v1_CancelRunRequest__Output, _omen_trainer_v1_Run>;
  
  /**
   * alias → version of one model ("champion", "challenger", ...); empty for a model without
   * aliases, and for an unknown model (as the registry itself answers).
   */
  GetAliases: grpc.handleUnaryCall<_omen_trainer_v1_GetAliasesRequest__Output, _omen_trainer_v1_GetAliasesResponse>;
  
  /**
   * A version's artifact, from whichever store the trainer keeps artifacts in (local or S3), so a
   * replica needs only the trainer's address: first one ArtifactChunk with the header (the
   * record, the sha256 and size of the bytes to come), then the bytes in order, at most 1 MiB per
   * chunk. The receiver must check size and sha256 before using the bytes. NOT_FOUND names the
   * missing model, version or alias; DATA_LOSS when the stored artifact does not hash to its
   * record. A read: open unless the server requires the token on every RPC (GRPC_REQUIRE_AUTH).
   */
  GetArtifact: grpc.handleServerStreamingCall<_omen_trainer_v1_GetArtifactRequest__Output, _omen_trainer_v1_ArtifactChunk>;
  
  /**
   * One model version; the production version when no version is given.
   */
  GetModel: grpc.handleUnaryCall<_omen_trainer_v1_GetModelRequest__Output, _omen_trainer_v1_ModelVersion>;
  
  GetRun: grpc.handleUnaryCall<_omen_trainer_v1_GetRunRequest__Output, _omen_trainer_v1_Run>;
  
  /**
   * Registers an externally trained ONNX model as a new version (stage candidate).
   */
  ImportModel: grpc.handleUnaryCall<_omen_trainer_v1_ImportModelRequest__Output, _omen_trainer_v1_ModelVersion>;
  
  ListModels: grpc.handleUnaryCall<_omen_trainer_v1_ListModelsRequest__Output, _omen_trainer_v1_ListModelsResponse>;
  
  /**
   * Runs, newest first.
   */
  ListRuns: grpc.handleUnaryCall<_omen_trainer_v1_ListRunsRequest__Output, _omen_trainer_v1_ListRunsResponse>;
  
  /**
   * Every version of one model, oldest first.
   */
  ListVersions: grpc.handleUnaryCall<_omen_trainer_v1_ListVersionsRequest__Output, _omen_trainer_v1_ListVersionsResponse>;
  
  /**
   * Makes a registered version the production version of its model.
   */
  Promote: grpc.handleUnaryCall<_omen_trainer_v1_PromoteRequest__Output, _omen_trainer_v1_PromoteResponse>;
  
  /**
   * Returns production to an earlier version (the previous production one by default).
   */
  Rollback: grpc.handleUnaryCall<_omen_trainer_v1_RollbackRequest__Output, _omen_trainer_v1_RollbackResponse>;
  
  /**
   * Starts a training run; returns at once with the run in RUN_STATE_PENDING.
   */
  StartRun: grpc.handleUnaryCall<_omen_trainer_v1_StartRunRequest__Output, _omen_trainer_v1_Run>;
  
  /**
   * Streams the run's progress from its current state until it ends.
   */
  WatchRun: grpc.handleServerStreamingCall<_omen_trainer_v1_WatchRunRequest__Output, _omen_trainer_v1_RunEvent>;
  
}

export interface TrainerDefinition extends grpc.ServiceDefinition {
  CancelRun: MethodDefinition<_omen_trainer_v1_CancelRunRequest, _omen_trainer_v1_Run, _omen_trainer_v1_CancelRunRequest__Output, _omen_trainer_v1_Run__Output>
  GetAliases: MethodDefinition<_omen_trainer_v1_GetAliasesRequest, _omen_trainer_v1_GetAliasesResponse, _omen_trainer_v1_GetAliasesRequest__Output, _omen_trainer_v1_GetAliasesResponse__Output>
  GetArtifact: MethodDefinition<_omen_trainer_v1_GetArtifactRequest, _omen_trainer_v1_ArtifactChunk, _omen_trainer_v1_GetArtifactRequest__Output, _omen_trainer_v1_ArtifactChunk__Output>
  GetModel: MethodDefinition<_omen_trainer_v1_GetModelRequest, _omen_trainer_v1_ModelVersion, _omen_trainer_v1_GetModelRequest__Output, _omen_trainer_v1_ModelVersion__Output>
  GetRun: MethodDefinition<_omen_trainer_v1_GetRunRequest, _omen_trainer_v1_Run, _omen_trainer_v1_GetRunRequest__Output, _omen_trainer_v1_Run__Output>
  ImportModel: MethodDefinition<_omen_trainer_v1_ImportModelRequest, _omen_trainer_v1_ModelVersion, _omen_trainer_v1_ImportModelRequest__Output, _omen_trainer_v1_ModelVersion__Output>
  ListModels: MethodDefinition<_omen_trainer_v1_ListModelsRequest, _omen_trainer_v1_ListModelsResponse, _omen_trainer_v1_ListModelsRequest__Output, _omen_trainer_v1_ListModelsResponse__Output>
  ListRuns: MethodDefinition<_omen_trainer_v1_ListRunsRequest, _omen_trainer_v1_ListRunsResponse, _omen_trainer_v1_ListRunsRequest__Output, _omen_trainer_v1_ListRunsResponse__Output>
  ListVersions: MethodDefinition<_omen_trainer_v1_ListVersionsRequest, _omen_trainer_v1_ListVersionsResponse, _omen_trainer_v1_ListVersionsRequest__Output, _omen_trainer_v1_ListVersionsResponse__Output>
  Promote: MethodDefinition<_omen_trainer_v1_PromoteRequest, _omen_trainer_v1_PromoteResponse, _omen_trainer_v1_PromoteRequest__Output, _omen_trainer_v1_PromoteResponse__Output>
  Rollback: MethodDefinition<_omen_trainer_v1_RollbackRequest, _omen_trainer_v1_RollbackResponse, _omen_trainer_v1_RollbackRequest__Output, _omen_trainer_v1_RollbackResponse__Output>
  StartRun: MethodDefinition<_omen_trainer_v1_StartRunRequest, _omen_trainer_v1_Run, _omen_trainer_v1_StartRunRequest__Output, _omen_trainer_v1_Run__Output>
  WatchRun: MethodDefinition<_omen_trainer_v1_WatchRunRequest, _omen_trainer_v1_RunEvent, _omen_trainer_v1_WatchRunRequest__Output, _omen_trainer_v1_RunEvent__Output>
}
