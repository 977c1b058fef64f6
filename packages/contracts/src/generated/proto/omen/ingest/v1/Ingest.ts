// Original file: protos/omen/ingest/v1/ingest.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PublishCommitRequest as _omen_ingest_v1_PublishCommitRequest, PublishCommitRequest__Output as _omen_ingest_v1_PublishCommitRequest__Output } from '../../../omen/ingest/v1/PublishCommitRequest.ts';
import type { PublishCommitResponse as _omen_ingest_v1_PublishCommitResponse, PublishCommitResponse__Output as _omen_ingest_v1_PublishCommitResponse__Output } from '../../../omen/ingest/v1/PublishCommitResponse.ts';
import type { PublishCommitsResponse as _omen_ingest_v1_PublishCommitsResponse, PublishCommitsResponse__Output as _omen_ingest_v1_PublishCommitsResponse__Output } from '../../../omen/ingest/v1/PublishCommitsResponse.ts';

export interface IngestClient extends grpc.Client {
  /**
   * Validates and publishes one commit; returns once the broker acknowledged it.
   */
  PublishCommit(argument: _omen_ingest_v1_PublishCommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  PublishCommit(argument: _omen_ingest_v1_PublishCommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  PublishCommit(argument: _omen_ingest_v1_PublishCommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  PublishCommit(argument: _omen_ingest_v1_PublishCommitRequest, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Validates and publishes one commit; returns once the broker acknowledged it.
   */
  publishCommit(argument: _omen_ingest_v1_PublishCommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  publishCommit(argument: _omen_ingest_v1_PublishCommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  publishCommit(argument: _omen_ingest_v1_PublishCommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  publishCommit(argument: _omen_ingest_v1_PublishCommitRequest, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Publishes a stream of commits. One bad commit does not fail the stream: the response
   * carries one result per request message, in order, each acked or with its error.
   */
  PublishCommits(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  PublishCommits(metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  PublishCommits(options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  PublishCommits(callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  /**
   * Publishes a stream of commits. One bad commit does not fail the stream: the response
   * carries one result per request message, in order, each acked or with its error.
   */
  publishCommits(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  publishCommits(metadata: grpc.Metadata, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  publishCommits(options: grpc.CallOptions, callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  publishCommits(callback: grpc.requestCallback<_omen_ingest_v1_PublishCommitsResponse__Output>): grpc.ClientWritableStream<_omen_ingest_v1_PublishCommitRequest>;
  
}

export interface IngestHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Validates and publishes one commit; returns once the broker acknowledged it.
   */
  PublishCommit: grpc.handleUnaryCall<_omen_ingest_v1_PublishCommitRequest__Output, _omen_ingest_v1_PublishCommitResponse>;
  
  /**
   * Publishes a stream of commits. One bad commit does not fail the stream: the response
   * carries one result per request message, in order, each acked or with its error.
   */
  PublishCommits: grpc.handleClientStreamingCall<_omen_ingest_v1_PublishCommitRequest__Output, _omen_ingest_v1_PublishCommitsResponse>;
  
}

export interface IngestDefinition extends grpc.ServiceDefinition {
  PublishCommit: MethodDefinition<_omen_ingest_v1_PublishCommitRequest, _omen_ingest_v1_PublishCommitResponse, _omen_ingest_v1_PublishCommitRequest__Output, _omen_ingest_v1_PublishCommitResponse__Output>
  PublishCommits: MethodDefinition<_omen_ingest_v1_PublishCommitRequest, _omen_ingest_v1_PublishCommitsResponse, _omen_ingest_v1_PublishCommitRequest__Output, _omen_ingest_v1_PublishCommitsResponse__Output>
}
