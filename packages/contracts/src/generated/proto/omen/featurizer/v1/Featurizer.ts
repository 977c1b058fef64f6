// Original file: protos/omen/featurizer/v1/featurizer.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetFeaturesRequest as _omen_featurizer_v1_GetFeaturesRequest, GetFeaturesRequest__Output as _omen_featurizer_v1_GetFeaturesRequest__Output } from '../../../omen/featurizer/v1/GetFeaturesRequest.ts';
import type { GetFeaturesResponse as _omen_featurizer_v1_GetFeaturesResponse, GetFeaturesResponse__Output as _omen_featurizer_v1_GetFeaturesResponse__Output } from '../../../omen/featurizer/v1/GetFeaturesResponse.ts';
import type { ListFeatureSetsRequest as _omen_featurizer_v1_ListFeatureSetsRequest, ListFeatureSetsRequest__Output as _omen_featurizer_v1_ListFeatureSetsRequest__Output } from '../../../omen/featurizer/v1/ListFeatureSetsRequest.ts';
import type { ListFeatureSetsResponse as _omen_featurizer_v1_ListFeatureSetsResponse, ListFeatureSetsResponse__Output as _omen_featurizer_v1_ListFeatureSetsResponse__Output } from '../../../omen/featurizer/v1/ListFeatureSetsResponse.ts';

export interface FeaturizerClient extends grpc.Client {
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
  
}

export interface FeaturizerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Features of one commit for one feature set; NOT_FOUND when the commit is unknown.
   */
  GetFeatures: grpc.handleUnaryCall<_omen_featurizer_v1_GetFeaturesRequest__Output, _omen_featurizer_v1_GetFeaturesResponse>;
  
  /**
   * Feature sets and their features as the registry defines them.
   */
  ListFeatureSets: grpc.handleUnaryCall<_omen_featurizer_v1_ListFeatureSetsRequest__Output, _omen_featurizer_v1_ListFeatureSetsResponse>;
  
}

export interface FeaturizerDefinition extends grpc.ServiceDefinition {
  GetFeatures: MethodDefinition<_omen_featurizer_v1_GetFeaturesRequest, _omen_featurizer_v1_GetFeaturesResponse, _omen_featurizer_v1_GetFeaturesRequest__Output, _omen_featurizer_v1_GetFeaturesResponse__Output>
  ListFeatureSets: MethodDefinition<_omen_featurizer_v1_ListFeatureSetsRequest, _omen_featurizer_v1_ListFeatureSetsResponse, _omen_featurizer_v1_ListFeatureSetsRequest__Output, _omen_featurizer_v1_ListFeatureSetsResponse__Output>
}
