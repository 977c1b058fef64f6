// The inference service's Predict, through @omen/grpc's client (trace context, bearer token,
// default deadline); its errors become OmenErrors with inference's code.
import type * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type inferenceV1 } from '@omen/contracts';
import { fromGrpcError } from '@omen/errors';
import { callUnary, createClient } from '@omen/grpc';

export interface InferenceClient {
  predict(
    request: inferenceV1.PredictRequest,
    options: { deadlineMs?: number; signal?: AbortSignal },
  ): Promise<inferenceV1.PredictResponse__Output>;
  close(): void;
}

export function inferenceClient(
  address: string,
  options: { token?: { reveal(): string } | undefined; deadlineMs: number },
): InferenceClient {
  const Ctor = loadGrpcObject('inference').omen.inference.v1.Inference;
  const client = createClient(
    Ctor as unknown as new (a: string, c: grpc.ChannelCredentials, o?: grpc.ClientOptions) => grpc.Client,
    address,
    {
      token: options.token,
      deadlineMs: options.deadlineMs,
    },
  );
  return {
    // Inference's status (UNAVAILABLE, NOT_FOUND, ...) goes back to the caller as it was, not as INTERNAL.
    predict: (request, o) =>
      callUnary<inferenceV1.PredictResponse__Output>(client, 'Predict', request, o).catch((err: unknown) => {
        throw fromGrpcError(err);
      }),
    close: () => client.close(),
  };
}
