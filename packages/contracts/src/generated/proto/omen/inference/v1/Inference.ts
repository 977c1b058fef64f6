// Original file: protos/omen/inference/v1/inference.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PredictBatchRequest as _omen_inference_v1_PredictBatchRequest, PredictBatchRequest__Output as _omen_inference_v1_PredictBatchRequest__Output } from '../../../omen/inference/v1/PredictBatchRequest.ts';
import type { PredictBatchResponse as _omen_inference_v1_PredictBatchResponse, PredictBatchResponse__Output as _omen_inference_v1_PredictBatchResponse__Output } from '../../../omen/inference/v1/PredictBatchResponse.ts';
import type { PredictRequest as _omen_inference_v1_PredictRequest, PredictRequest__Output as _omen_inference_v1_PredictRequest__Output } from '../../../omen/inference/v1/PredictRequest.ts';
import type { PredictResponse as _omen_inference_v1_PredictResponse, PredictResponse__Output as _omen_inference_v1_PredictResponse__Output } from '../../../omen/inference/v1/PredictResponse.ts';
import type { PredictResult as _omen_inference_v1_PredictResult, PredictResult__Output as _omen_inference_v1_PredictResult__Output } from '../../../omen/inference/v1/PredictResult.ts';

export interface InferenceClient extends grpc.Client {
  Predict(argument: _omen_inference_v1_PredictRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _omen_inference_v1_PredictRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _omen_inference_v1_PredictRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _omen_inference_v1_PredictRequest, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_inference_v1_PredictRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_inference_v1_PredictRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_inference_v1_PredictRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _omen_inference_v1_PredictRequest, callback: grpc.requestCallback<_omen_inference_v1_PredictResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Scores many entities in one call; one failing entity does not fail the batch.
   */
  PredictBatch(argument: _omen_inference_v1_PredictBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  PredictBatch(argument: _omen_inference_v1_PredictBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  PredictBatch(argument: _omen_inference_v1_PredictBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  PredictBatch(argument: _omen_inference_v1_PredictBatchRequest, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Scores many entities in one call; one failing entity does not fail the batch.
   */
  predictBatch(argument: _omen_inference_v1_PredictBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  predictBatch(argument: _omen_inference_v1_PredictBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  predictBatch(argument: _omen_inference_v1_PredictBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  predictBatch(argument: _omen_inference_v1_PredictBatchRequest, callback: grpc.requestCallback<_omen_inference_v1_PredictBatchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Scores a batch and streams each result as soon as it is ready (not in request order;
   * PredictResult.index says which request it answers).
   */
  PredictStream(argument: _omen_inference_v1_PredictBatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_inference_v1_PredictResult__Output>;
  PredictStream(argument: _omen_inference_v1_PredictBatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_inference_v1_PredictResult__Output>;
  /**
   * Scores a batch and streams each result as soon as it is ready (not in request order;
   * PredictResult.index says which request it answers).
   */
  predictStream(argument: _omen_inference_v1_PredictBatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_inference_v1_PredictResult__Output>;
  predictStream(argument: _omen_inference_v1_PredictBatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_omen_inference_v1_PredictResult__Output>;
  
}

export interface InferenceHandlers extends grpc.UntypedServiceImplementation {
  Predict: grpc.handleUnaryCall<_omen_inference_v1_PredictRequest__Output, _omen_inference_v1_PredictResponse>;
  
  /**
   * Scores many entities in one call; one failing entity does not fail the batch.
   */
  PredictBatch: grpc.handleUnaryCall<_omen_inference_v1_PredictBatchRequest__Output, _omen_inference_v1_PredictBatchResponse>;
  
  /**
   * Scores a batch and streams each result as soon as it is ready (not in request order;
   * PredictResult.index says which request it answers).
   */
  PredictStream: grpc.handleServerStreamingCall<_omen_inference_v1_PredictBatchRequest__Output, _omen_inference_v1_PredictResult>;
  
}

export interface InferenceDefinition extends grpc.ServiceDefinition {
  Predict: MethodDefinition<_omen_inference_v1_PredictRequest, _omen_inference_v1_PredictResponse, _omen_inference_v1_PredictRequest__Output, _omen_inference_v1_PredictResponse__Output>
  PredictBatch: MethodDefinition<_omen_inference_v1_PredictBatchRequest, _omen_inference_v1_PredictBatchResponse, _omen_inference_v1_PredictBatchRequest__Output, _omen_inference_v1_PredictBatchResponse__Output>
  PredictStream: MethodDefinition<_omen_inference_v1_PredictBatchRequest, _omen_inference_v1_PredictResult, _omen_inference_v1_PredictBatchRequest__Output, _omen_inference_v1_PredictResult__Output>
}
