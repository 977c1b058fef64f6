// Original file: protos/omen/featurizer/v1/featurizer.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcceptOffsetGapRequest as _omen_featurizer_v1_AcceptOffsetGapRequest, AcceptOffsetGapRequest__Output as _omen_featurizer_v1_AcceptOffsetGapRequest__Output } from '../../../omen/featurizer/v1/AcceptOffsetGapRequest.ts';
import type { AcceptOffsetGapResponse as _omen_featurizer_v1_AcceptOffsetGapResponse, AcceptOffsetGapResponse__Output as _omen_featurizer_v1_AcceptOffsetGapResponse__Output } from '../../../omen/featurizer/v1/AcceptOffsetGapResponse.ts';
import type { GetFeaturesRequest as _omen_featurizer_v1_GetFeaturesRequest, GetFeaturesRequest__Output as _omen_featurizer_v1_GetFeaturesRequest__Output } from '../../../omen/featurizer/v1/GetFeaturesRequest.ts';
import type { GetFeaturesResponse as _omen_featurizer_v1_GetFeaturesResponse, GetFeaturesResponse__Output as _omen_featurizer_v1_GetFeaturesResponse__Output } from '../../../omen/featurizer/v1/GetFeaturesResponse.ts';
import type { ListFeatureSetsRequest as _omen_featurizer_v1_ListFeatureSetsRequest, ListFeatureSetsRequest__Output as _omen_featurizer_v1_ListFeatureSetsRequest__Output } from '../../../omen/featurizer/v1/ListFeatureSetsRequest.ts';
import type { ListFeatureSetsResponse as _omen_featurizer_v1_ListFeatureSetsResponse, ListFeatureSetsResponse__Output as _omen_featurizer_v1_ListFeatureSetsResponse__Output } from '../../../omen/featurizer/v1/ListFeatureSetsResponse.ts';
import type { ListOffsetGapsRequest as _omen_featurizer_v1_ListOffsetGapsRequest, ListOffsetGapsRequest__Output as _omen_featurizer_v1_ListOffsetGapsRequest__Output } from '../../../omen/featurizer/v1/ListOffsetGapsRequest.ts';
import type { ListOffsetGapsResponse as _omen_featurizer_v1_ListOffsetGapsResponse, ListOffsetGapsResponse__Output as _omen_featurizer_v1_ListOffsetGapsResponse__Output } from '../../../omen/featurizer/v1/ListOffsetGapsResponse.ts';

export interface FeaturizerClient extends grpc.Client {
  /**
   * Admin (token required): an operator's decision to go on without one stopped partition's
   * lost records, made before the repositories on it are rebuilt (README "When commits were
   * lost"). Moves the partition to its log start and resumes it; FAILED_PRECONDITION unless it
   * is stopped at expected_offset. Logged at warn with the reason given.
   */
  AcceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  AcceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  AcceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  AcceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Admin (token required): an operator's decision to go on without one stopped partition's
   * lost records, made before the repositories on it are rebuilt (README "When commits were
   * lost"). Moves the partition to its log start and resumes it; FAILED_PRECONDITION unless it
   * is stopped at expected_offset. Logged at warn with the reason given.
   */
  acceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  acceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  acceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  acceptOffsetGap(argument: _omen_featurizer_v1_AcceptOffsetGapRequest, callback: grpc.requestCallback<_omen_featurizer_v1_AcceptOffsetGapResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Features of one commit for one feature set; NOT_FOUND when the commit is unknown.
   */
  GetFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  GetFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  GetFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  GetFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Features of one commit for one feature set; NOT_FOUND when the commit is unknown.
   */
  getFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  getFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  getFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  getFeatures(argument: _omen_featurizer_v1_GetFeaturesRequest, callback: grpc.requestCallback<_omen_featurizer_v1_GetFeaturesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Feature sets and their features as the registry defines them.
   */
  ListFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  ListFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  ListFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  ListFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Feature sets and their features as the registry defines them.
   */
  listFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  listFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  listFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  listFeatureSets(argument: _omen_featurizer_v1_ListFeatureSetsRequest, callback: grpc.requestCallback<_omen_featurizer_v1_ListFeatureSetsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Partitions of the featurizer's topics stopped at a gap in their log (offset-gap policy
   * "stop"): records retention deleted before the featurizer read them.
   */
  ListOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Partitions of the featurizer's topics stopped at a gap in their log (offset-gap policy
   * "stop"): records retention deleted before the featurizer read them.
   */
  listOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  listOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  listOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  listOffsetGaps(argument: _omen_featurizer_v1_ListOffsetGapsRequest, callback: grpc.requestCallback<_omen_featurizer_v1_ListOffsetGapsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface FeaturizerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Admin (token required): an operator's decision to go on without one stopped partition's
   * lost records, made before the repositories on it are rebuilt (README "When commits were
   * lost"). Moves the partition to its log start and resumes it; FAILED_PRECONDITION unless it
   * is stopped at expected_offset. Logged at warn with the reason given.
   */
  AcceptOffsetGap: grpc.handleUnaryCall<_omen_featurizer_v1_AcceptOffsetGapRequest__Output, _omen_featurizer_v1_AcceptOffsetGapResponse>;
  
  /**
   * Features of one commit for one feature set; NOT_FOUND when the commit is unknown.
   */
  GetFeatures: grpc.handleUnaryCall<_omen_featurizer_v1_GetFeaturesRequest__Output, _omen_featurizer_v1_GetFeaturesResponse>;
  
  /**
   * Feature sets and their features as the registry defines them.
   */
  ListFeatureSets: grpc.handleUnaryCall<_omen_featurizer_v1_ListFeatureSetsRequest__Output, _omen_featurizer_v1_ListFeatureSetsResponse>;
  
  /**
   * Partitions of the featurizer's topics stopped at a gap in their log (offset-gap policy
   * "stop"): records retention deleted before the featurizer read them.
   */
  ListOffsetGaps: grpc.handleUnaryCall<_omen_featurizer_v1_ListOffsetGapsRequest__Output, _omen_featurizer_v1_ListOffsetGapsResponse>;
  
}

export interface FeaturizerDefinition extends grpc.ServiceDefinition {
  AcceptOffsetGap: MethodDefinition<_omen_featurizer_v1_AcceptOffsetGapRequest, _omen_featurizer_v1_AcceptOffsetGapResponse, _omen_featurizer_v1_AcceptOffsetGapRequest__Output, _omen_featurizer_v1_AcceptOffsetGapResponse__Output>
  GetFeatures: MethodDefinition<_omen_featurizer_v1_GetFeaturesRequest, _omen_featurizer_v1_GetFeaturesResponse, _omen_featurizer_v1_GetFeaturesRequest__Output, _omen_featurizer_v1_GetFeaturesResponse__Output>
  ListFeatureSets: MethodDefinition<_omen_featurizer_v1_ListFeatureSetsRequest, _omen_featurizer_v1_ListFeatureSetsResponse, _omen_featurizer_v1_ListFeatureSetsRequest__Output, _omen_featurizer_v1_ListFeatureSetsResponse__Output>
  ListOffsetGaps: MethodDefinition<_omen_featurizer_v1_ListOffsetGapsRequest, _omen_featurizer_v1_ListOffsetGapsResponse, _omen_featurizer_v1_ListOffsetGapsRequest__Output, _omen_featurizer_v1_ListOffsetGapsResponse__Output>
}
