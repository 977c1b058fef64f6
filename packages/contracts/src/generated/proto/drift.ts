import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { DriftDetectorClient as _omen_drift_v1_DriftDetectorClient, DriftDetectorDefinition as _omen_drift_v1_DriftDetectorDefinition } from './omen/drift/v1/DriftDetector.ts';
import type { DriftReport as _omen_drift_v1_DriftReport, DriftReport__Output as _omen_drift_v1_DriftReport__Output } from './omen/drift/v1/DriftReport.ts';
import type { FeatureDrift as _omen_drift_v1_FeatureDrift, FeatureDrift__Output as _omen_drift_v1_FeatureDrift__Output } from './omen/drift/v1/FeatureDrift.ts';
import type { GetDriftReportRequest as _omen_drift_v1_GetDriftReportRequest, GetDriftReportRequest__Output as _omen_drift_v1_GetDriftReportRequest__Output } from './omen/drift/v1/GetDriftReportRequest.ts';
import type { ListDriftReportsRequest as _omen_drift_v1_ListDriftReportsRequest, ListDriftReportsRequest__Output as _omen_drift_v1_ListDriftReportsRequest__Output } from './omen/drift/v1/ListDriftReportsRequest.ts';
import type { ListDriftReportsResponse as _omen_drift_v1_ListDriftReportsResponse, ListDriftReportsResponse__Output as _omen_drift_v1_ListDriftReportsResponse__Output } from './omen/drift/v1/ListDriftReportsResponse.ts';
import type { ListPerformanceRequest as _omen_drift_v1_ListPerformanceRequest, ListPerformanceRequest__Output as _omen_drift_v1_ListPerformanceRequest__Output } from './omen/drift/v1/ListPerformanceRequest.ts';
import type { ListPerformanceResponse as _omen_drift_v1_ListPerformanceResponse, ListPerformanceResponse__Output as _omen_drift_v1_ListPerformanceResponse__Output } from './omen/drift/v1/ListPerformanceResponse.ts';
import type { WindowPerformance as _omen_drift_v1_WindowPerformance, WindowPerformance__Output as _omen_drift_v1_WindowPerformance__Output } from './omen/drift/v1/WindowPerformance.ts';

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
    drift: {
      v1: {
        DriftDetector: SubtypeConstructor<typeof grpc.Client, _omen_drift_v1_DriftDetectorClient> & { service: _omen_drift_v1_DriftDetectorDefinition }
        DriftReport: MessageTypeDefinition<_omen_drift_v1_DriftReport, _omen_drift_v1_DriftReport__Output>
        DriftStatistic: EnumTypeDefinition
        DriftTarget: EnumTypeDefinition
        FeatureDrift: MessageTypeDefinition<_omen_drift_v1_FeatureDrift, _omen_drift_v1_FeatureDrift__Output>
        GetDriftReportRequest: MessageTypeDefinition<_omen_drift_v1_GetDriftReportRequest, _omen_drift_v1_GetDriftReportRequest__Output>
        ListDriftReportsRequest: MessageTypeDefinition<_omen_drift_v1_ListDriftReportsRequest, _omen_drift_v1_ListDriftReportsRequest__Output>
        ListDriftReportsResponse: MessageTypeDefinition<_omen_drift_v1_ListDriftReportsResponse, _omen_drift_v1_ListDriftReportsResponse__Output>
        ListPerformanceRequest: MessageTypeDefinition<_omen_drift_v1_ListPerformanceRequest, _omen_drift_v1_ListPerformanceRequest__Output>
        ListPerformanceResponse: MessageTypeDefinition<_omen_drift_v1_ListPerformanceResponse, _omen_drift_v1_ListPerformanceResponse__Output>
        WindowPerformance: MessageTypeDefinition<_omen_drift_v1_WindowPerformance, _omen_drift_v1_WindowPerformance__Output>
      }
    }
  }
}

