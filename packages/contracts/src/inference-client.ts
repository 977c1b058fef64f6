// The client side of the inference service's Predict (omen.inference.v1.Inference), kept beside
// the proto it speaks: the ab-router (which routes traffic to it) and scm-checks (which reads a
// commit's findings from it) call inference through this one client, so the channel, the bearer
// token, the default deadline and the meaning of a failure are decided once. Inference's status
// (UNAVAILABLE, NOT_FOUND, ...) reaches the caller as an @omen/errors value with the same code,
// not as INTERNAL.
import { fromGrpcError } from '@omen/errors';
import { callUnary, createClient, type CallOptions } from '@omen/grpc';
import type * as inferenceV1 from './generated/proto/omen/inference/v1/index.ts';
import { loadGrpcObject } from './proto.ts';

export interface InferenceClient {
  predict(
    request: inferenceV1.PredictRequest,
    options?: Pick<CallOptions, 'deadlineMs' | 'signal'>,
  ): Promise<inferenceV1.PredictResponse__Output>;
  close(): void;
}

export interface InferenceClientOptions {
  /** Bearer token (inference's INFERENCE_TOKEN); none when inference runs without one. */
  token?: string | { reveal(): string } | undefined;
  /** Deadline of a call that sets none. */
  deadlineMs: number;
}

/** One gRPC channel to inference at `address` (`host:port`), reconnecting by itself; `close()` releases it. */
export function inferenceClient(address: string, options: InferenceClientOptions): InferenceClient {
  const { Inference } = loadGrpcObject('inference').omen.inference.v1;
  const client = createClient(Inference, address, { token: options.token, deadlineMs: options.deadlineMs });
  return {
    predict: (request, callOptions = {}) =>
      callUnary<inferenceV1.PredictResponse__Output>(client, 'Predict', request, callOptions).catch((err: unknown) => {
        throw fromGrpcError(err);
      }),
    close: () => client.close(),
  };
}
