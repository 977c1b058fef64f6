// Original file: protos/omen/abrouter/v1/abrouter.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateExperimentRequest as _omen_abrouter_v1_CreateExperimentRequest, CreateExperimentRequest__Output as _omen_abrouter_v1_CreateExperimentRequest__Output } from '../../../omen/abrouter/v1/CreateExperimentRequest.ts';
import type { Experiment as _omen_abrouter_v1_Experiment, Experiment__Output as _omen_abrouter_v1_Experiment__Output } from '../../../omen/abrouter/v1/Experiment.ts';
import type { GetExperimentRequest as _omen_abrouter_v1_GetExperimentRequest, GetExperimentRequest__Output as _omen_abrouter_v1_GetExperimentRequest__Output } from '../../../omen/abrouter/v1/GetExperimentRequest.ts';
import type { ListExperimentsRequest as _omen_abrouter_v1_ListExperimentsRequest, ListExperimentsRequest__Output as _omen_abrouter_v1_ListExperimentsRequest__Output } from '../../../omen/abrouter/v1/ListExperimentsRequest.ts';
import type { ListExperimentsResponse as _omen_abrouter_v1_ListExperimentsResponse, ListExperimentsResponse__Output as _omen_abrouter_v1_ListExperimentsResponse__Output } from '../../../omen/abrouter/v1/ListExperimentsResponse.ts';
import type { RoutePredictRequest as _omen_abrouter_v1_RoutePredictRequest, RoutePredictRequest__Output as _omen_abrouter_v1_RoutePredictRequest__Output } from '../../../omen/abrouter/v1/RoutePredictRequest.ts';
import type { RoutePredictResponse as _omen_abrouter_v1_RoutePredictResponse, RoutePredictResponse__Output as _omen_abrouter_v1_RoutePredictResponse__Output } from '../../../omen/abrouter/v1/RoutePredictResponse.ts';
import type { RouteRequest as _omen_abrouter_v1_RouteRequest, RouteRequest__Output as _omen_abrouter_v1_RouteRequest__Output } from '../../../omen/abrouter/v1/RouteRequest.ts';
import type { RouteResponse as _omen_abrouter_v1_RouteResponse, RouteResponse__Output as _omen_abrouter_v1_RouteResponse__Output } from '../../../omen/abrouter/v1/RouteResponse.ts';
import type { StopExperimentRequest as _omen_abrouter_v1_StopExperimentRequest, StopExperimentRequest__Output as _omen_abrouter_v1_StopExperimentRequest__Output } from '../../../omen/abrouter/v1/StopExperimentRequest.ts';

export interface AbRouterClient extends grpc.Client {
  CreateExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  CreateExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  CreateExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  CreateExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  createExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  createExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  createExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  createExperiment(argument: _omen_abrouter_v1_CreateExperimentRequest, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  
  GetExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  GetExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  GetExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  GetExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  getExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  getExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  getExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  getExperiment(argument: _omen_abrouter_v1_GetExperimentRequest, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  
  ListExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  ListExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  ListExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  ListExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  listExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  listExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  listExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  listExperiments(argument: _omen_abrouter_v1_ListExperimentsRequest, callback: grpc.requestCallback<_omen_abrouter_v1_ListExperimentsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Routes and predicts: the request goes to the arm's model version.
   */
  Predict(argument: _omen_abrouter_v1_RoutePredictRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _omen_abrouter_v1_RoutePredictRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _omen_abrouter_v1_RoutePredictRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _omen_abrouter_v1_RoutePredictRequest, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Routes and predicts: the request goes to the arm's model version.
   */
  predict(argument: _omen_abrouter_v1_RoutePredictRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_abrouter_v1_RoutePredictRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_abrouter_v1_RoutePredictRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_abrouter_v1_RoutePredictRequest, callback: grpc.requestCallback<_omen_abrouter_v1_RoutePredictResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Assigns a unit to an arm without predicting.
   */
  Route(argument: _omen_abrouter_v1_RouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  Route(argument: _omen_abrouter_v1_RouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  Route(argument: _omen_abrouter_v1_RouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  Route(argument: _omen_abrouter_v1_RouteRequest, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Assigns a unit to an arm without predicting.
   */
  route(argument: _omen_abrouter_v1_RouteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  route(argument: _omen_abrouter_v1_RouteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  route(argument: _omen_abrouter_v1_RouteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  route(argument: _omen_abrouter_v1_RouteRequest, callback: grpc.requestCallback<_omen_abrouter_v1_RouteResponse__Output>): grpc.ClientUnaryCall;
  
  StopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  StopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  StopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  StopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  stopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  stopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  stopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  stopExperiment(argument: _omen_abrouter_v1_StopExperimentRequest, callback: grpc.requestCallback<_omen_abrouter_v1_Experiment__Output>): grpc.ClientUnaryCall;
  
}

export interface AbRouterHandlers extends grpc.UntypedServiceImplementation {
  CreateExperiment: grpc.handleUnaryCall<_omen_abrouter_v1_CreateExperimentRequest__Output, _omen_abrouter_v1_Experiment>;
  
  GetExperiment: grpc.handleUnaryCall<_omen_abrouter_v1_GetExperimentRequest__Output, _omen_abrouter_v1_Experiment>;
  
  ListExperiments: grpc.handleUnaryCall<_omen_abrouter_v1_ListExperimentsRequest__Output, _omen_abrouter_v1_ListExperimentsResponse>;
  
  /**
   * Routes and predicts: the request goes to the arm's model version.
   */
  Predict: grpc.handleUnaryCall<_omen_abrouter_v1_RoutePredictRequest__Output, _omen_abrouter_v1_RoutePredictResponse>;
  
  /**
   * Assigns a unit to an arm without predicting.
   */
  Route: grpc.handleUnaryCall<_omen_abrouter_v1_RouteRequest__Output, _omen_abrouter_v1_RouteResponse>;
  
  StopExperiment: grpc.handleUnaryCall<_omen_abrouter_v1_StopExperimentRequest__Output, _omen_abrouter_v1_Experiment>;
  
}

export interface AbRouterDefinition extends grpc.ServiceDefinition {
  CreateExperiment: MethodDefinition<_omen_abrouter_v1_CreateExperimentRequest, _omen_abrouter_v1_Experiment, _omen_abrouter_v1_CreateExperimentRequest__Output, _omen_abrouter_v1_Experiment__Output>
  GetExperiment: MethodDefinition<_omen_abrouter_v1_GetExperimentRequest, _omen_abrouter_v1_Experiment, _omen_abrouter_v1_GetExperimentRequest__Output, _omen_abrouter_v1_Experiment__Output>
  ListExperiments: MethodDefinition<_omen_abrouter_v1_ListExperimentsRequest, _omen_abrouter_v1_ListExperimentsResponse, _omen_abrouter_v1_ListExperimentsRequest__Output, _omen_abrouter_v1_ListExperimentsResponse__Output>
  Predict: MethodDefinition<_omen_abrouter_v1_RoutePredictRequest, _omen_abrouter_v1_RoutePredictResponse, _omen_abrouter_v1_RoutePredictRequest__Output, _omen_abrouter_v1_RoutePredictResponse__Output>
  Route: MethodDefinition<_omen_abrouter_v1_RouteRequest, _omen_abrouter_v1_RouteResponse, _omen_abrouter_v1_RouteRequest__Output, _omen_abrouter_v1_RouteResponse__Output>
  StopExperiment: MethodDefinition<_omen_abrouter_v1_StopExperimentRequest, _omen_abrouter_v1_Experiment, _omen_abrouter_v1_StopExperimentRequest__Output, _omen_abrouter_v1_Experiment__Output>
}
