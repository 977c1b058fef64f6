// Original file: protos/omen/drift/v1/drift.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DriftReport as _omen_drift_v1_DriftReport, DriftReport__Output as _omen_drift_v1_DriftReport__Output } from '../../../omen/drift/v1/DriftReport.ts';
import type { GetDriftReportRequest as _omen_drift_v1_GetDriftReportRequest, GetDriftReportRequest__Output as _omen_drift_v1_GetDriftReportRequest__Output } from '../../../omen/drift/v1/GetDriftReportRequest.ts';
import type { ListDriftReportsRequest as _omen_drift_v1_ListDriftReportsRequest, ListDriftReportsRequest__Output as _omen_drift_v1_ListDriftReportsRequest__Output } from '../../../omen/drift/v1/ListDriftReportsRequest.ts';
import type { ListDriftReportsResponse as _omen_drift_v1_ListDriftReportsResponse, ListDriftReportsResponse__Output as _omen_drift_v1_ListDriftReportsResponse__Output } from '../../../omen/drift/v1/ListDriftReportsResponse.ts';
import type { ListPerformanceRequest as _omen_drift_v1_ListPerformanceRequest, ListPerformanceRequest__Output as _omen_drift_v1_ListPerformanceRequest__Output } from '../../../omen/drift/v1/ListPerformanceRequest.ts';
import type { ListPerformanceResponse as _omen_drift_v1_ListPerformanceResponse, ListPerformanceResponse__Output as _omen_drift_v1_ListPerformanceResponse__Output } from '../../../omen/drift/v1/ListPerformanceResponse.ts';

export interface DriftDetectorClient extends grpc.Client {
  /**
   * The latest report for a model (version), i.e. the last evaluated window.
   */
  GetDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  GetDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  GetDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  GetDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  /**
   * The latest report for a model (version), i.e. the last evaluated window.
   */
  getDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  getDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  getDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  getDriftReport(argument: _omen_drift_v1_GetDriftReportRequest, callback: grpc.requestCallback<_omen_drift_v1_DriftReport__Output>): grpc.ClientUnaryCall;
  
  /**
   * Past reports, newest first.
   */
  ListDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  ListDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  ListDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  ListDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Past reports, newest first.
   */
  listDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  listDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  listDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  listDriftReports(argument: _omen_drift_v1_ListDriftReportsRequest, callback: grpc.requestCallback<_omen_drift_v1_ListDriftReportsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The champion's performance per prediction window, newest first: the CBPE expected ROC AUC
   * from its calibrated scores (no labels needed), next to the realised ROC AUC once the
   * window's labels matured. FAILED_PRECONDITION without ClickHouse (where it is kept).
   */
  ListPerformance(argument: _omen_drift_v1_ListPerformanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  ListPerformance(argument: _omen_drift_v1_ListPerformanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  ListPerformance(argument: _omen_drift_v1_ListPerformanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  ListPerformance(argument: _omen_drift_v1_ListPerformanceRequest, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The champion's performance per prediction window, newest first: the CBPE expected ROC AUC
   * from its calibrated scores (no labels needed), next to the realised ROC AUC once the
   * window's labels matured. FAILED_PRECONDITION without ClickHouse (where it is kept).
   */
  listPerformance(argument: _omen_drift_v1_ListPerformanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  listPerformance(argument: _omen_drift_v1_ListPerformanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  listPerformance(argument: _omen_drift_v1_ListPerformanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  listPerformance(argument: _omen_drift_v1_ListPerformanceRequest, callback: grpc.requestCallback<_omen_drift_v1_ListPerformanceResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface DriftDetectorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The latest report for a model (version), i.e. the last evaluated window.
   */
  GetDriftReport: grpc.handleUnaryCall<_omen_drift_v1_GetDriftReportRequest__Output, _omen_drift_v1_DriftReport>;
  
  /**
   * Past reports, newest first.
   */
  ListDriftReports: grpc.handleUnaryCall<_omen_drift_v1_ListDriftReportsRequest__Output, _omen_drift_v1_ListDriftReportsResponse>;
  
  /**
   * The champion's performance per prediction window, newest first: the CBPE expected ROC AUC
   * from its calibrated scores (no labels needed), next to the realised ROC AUC once the
   * window's labels matured. FAILED_PRECONDITION without ClickHouse (where it is kept).
   */
  ListPerformance: grpc.handleUnaryCall<_omen_drift_v1_ListPerformanceRequest__Output, _omen_drift_v1_ListPerformanceResponse>;
  
}

export interface DriftDetectorDefinition extends grpc.ServiceDefinition {
  GetDriftReport: MethodDefinition<_omen_drift_v1_GetDriftReportRequest, _omen_drift_v1_DriftReport, _omen_drift_v1_GetDriftReportRequest__Output, _omen_drift_v1_DriftReport__Output>
  ListDriftReports: MethodDefinition<_omen_drift_v1_ListDriftReportsRequest, _omen_drift_v1_ListDriftReportsResponse, _omen_drift_v1_ListDriftReportsRequest__Output, _omen_drift_v1_ListDriftReportsResponse__Output>
  ListPerformance: MethodDefinition<_omen_drift_v1_ListPerformanceRequest, _omen_drift_v1_ListPerformanceResponse, _omen_drift_v1_ListPerformanceRequest__Output, _omen_drift_v1_ListPerformanceResponse__Output>
}
