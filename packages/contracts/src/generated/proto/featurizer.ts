import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { AcceptOffsetGapRequest as _omen_featurizer_v1_AcceptOffsetGapRequest, AcceptOffsetGapRequest__Output as _omen_featurizer_v1_AcceptOffsetGapRequest__Output } from './omen/featurizer/v1/AcceptOffsetGapRequest.ts';
import type { AcceptOffsetGapResponse as _omen_featurizer_v1_AcceptOffsetGapResponse, AcceptOffsetGapResponse__Output as _omen_featurizer_v1_AcceptOffsetGapResponse__Output } from './omen/featurizer/v1/AcceptOffsetGapResponse.ts';
import type { FeatureDefinition as _omen_featurizer_v1_FeatureDefinition, FeatureDefinition__Output as _omen_featurizer_v1_FeatureDefinition__Output } from './omen/featurizer/v1/FeatureDefinition.ts';
import type { FeatureSet as _omen_featurizer_v1_FeatureSet, FeatureSet__Output as _omen_featurizer_v1_FeatureSet__Output } from './omen/featurizer/v1/FeatureSet.ts';
import type { FeaturizerClient as _omen_featurizer_v1_FeaturizerClient, FeaturizerDefinition as _omen_featurizer_v1_FeaturizerDefinition } from './omen/featurizer/v1/Featurizer.ts';
import type { FileMetrics as _omen_featurizer_v1_FileMetrics, FileMetrics__Output as _omen_featurizer_v1_FileMetrics__Output } from './omen/featurizer/v1/FileMetrics.ts';
import type { GetFeaturesRequest as _omen_featurizer_v1_GetFeaturesRequest, GetFeaturesRequest__Output as _omen_featurizer_v1_GetFeaturesRequest__Output } from './omen/featurizer/v1/GetFeaturesRequest.ts';
import type { GetFeaturesResponse as _omen_featurizer_v1_GetFeaturesResponse, GetFeaturesResponse__Output as _omen_featurizer_v1_GetFeaturesResponse__Output } from './omen/featurizer/v1/GetFeaturesResponse.ts';
import type { ListFeatureSetsRequest as _omen_featurizer_v1_ListFeatureSetsRequest, ListFeatureSetsRequest__Output as _omen_featurizer_v1_ListFeatureSetsRequest__Output } from './omen/featurizer/v1/ListFeatureSetsRequest.ts';
import type { ListFeatureSetsResponse as _omen_featurizer_v1_ListFeatureSetsResponse, ListFeatureSetsResponse__Output as _omen_featurizer_v1_ListFeatureSetsResponse__Output } from './omen/featurizer/v1/ListFeatureSetsResponse.ts';
import type { ListOffsetGapsRequest as _omen_featurizer_v1_ListOffsetGapsRequest, ListOffsetGapsRequest__Output as _omen_featurizer_v1_ListOffsetGapsRequest__Output } from './omen/featurizer/v1/ListOffsetGapsRequest.ts';
import type { ListOffsetGapsResponse as _omen_featurizer_v1_ListOffsetGapsResponse, ListOffsetGapsResponse__Output as _omen_featurizer_v1_ListOffsetGapsResponse__Output } from './omen/featurizer/v1/ListOffsetGapsResponse.ts';
import type { OffsetGap as _omen_featurizer_v1_OffsetGap, OffsetGap__Output as _omen_featurizer_v1_OffsetGap__Output } from './omen/featurizer/v1/OffsetGap.ts';

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
    featurizer: {
      v1: {
        AcceptOffsetGapRequest: MessageTypeDefinition<_omen_featurizer_v1_AcceptOffsetGapRequest, _omen_featurizer_v1_AcceptOffsetGapRequest__Output>
        AcceptOffsetGapResponse: MessageTypeDefinition<_omen_featurizer_v1_AcceptOffsetGapResponse, _omen_featurizer_v1_AcceptOffsetGapResponse__Output>
        FeatureDefinition: MessageTypeDefinition<_omen_featurizer_v1_FeatureDefinition, _omen_featurizer_v1_FeatureDefinition__Output>
        FeatureSet: MessageTypeDefinition<_omen_featurizer_v1_FeatureSet, _omen_featurizer_v1_FeatureSet__Output>
        FeatureSource: EnumTypeDefinition
        FeatureValueType: EnumTypeDefinition
        Featurizer: SubtypeConstructor<typeof grpc.Client, _omen_featurizer_v1_FeaturizerClient> & { service: _omen_featurizer_v1_FeaturizerDefinition }
        FileMetrics: MessageTypeDefinition<_omen_featurizer_v1_FileMetrics, _omen_featurizer_v1_FileMetrics__Output>
        GetFeaturesRequest: MessageTypeDefinition<_omen_featurizer_v1_GetFeaturesRequest, _omen_featurizer_v1_GetFeaturesRequest__Output>
        GetFeaturesResponse: MessageTypeDefinition<_omen_featurizer_v1_GetFeaturesResponse, _omen_featurizer_v1_GetFeaturesResponse__Output>
        ListFeatureSetsRequest: MessageTypeDefinition<_omen_featurizer_v1_ListFeatureSetsRequest, _omen_featurizer_v1_ListFeatureSetsRequest__Output>
        ListFeatureSetsResponse: MessageTypeDefinition<_omen_featurizer_v1_ListFeatureSetsResponse, _omen_featurizer_v1_ListFeatureSetsResponse__Output>
        ListOffsetGapsRequest: MessageTypeDefinition<_omen_featurizer_v1_ListOffsetGapsRequest, _omen_featurizer_v1_ListOffsetGapsRequest__Output>
        ListOffsetGapsResponse: MessageTypeDefinition<_omen_featurizer_v1_ListOffsetGapsResponse, _omen_featurizer_v1_ListOffsetGapsResponse__Output>
        OffsetGap: MessageTypeDefinition<_omen_featurizer_v1_OffsetGap, _omen_featurizer_v1_OffsetGap__Output>
      }
    }
  }
}

