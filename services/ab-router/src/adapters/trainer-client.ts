// The trainer's Promote, through @omen/grpc's client (trace context, bearer token, deadline).
// Promote is idempotent on the trainer's side (changed = false when the alias already points at
// the version), audited there, and announced on NATS as model.promoted; a retried promotion after
// a lost answer is therefore harmless.
import type * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type trainerV1 } from '@omen/contracts';
import { fromGrpcError } from '@omen/errors';
import { callUnary, createClient } from '@omen/grpc';

export interface TrainerClient {
  promote(request: trainerV1.PromoteRequest): Promise<trainerV1.PromoteResponse__Output>;
  close(): void;
}

export function trainerClient(
  address: string,
  options: { token?: { reveal(): string } | undefined; deadlineMs: number },
): TrainerClient {
  const Ctor = loadGrpcObject('trainer').omen.trainer.v1.Trainer;
  const client = createClient(
    Ctor as unknown as new (a: string, c: grpc.ChannelCredentials, o?: grpc.ClientOptions) => grpc.Client,
    address,
    {
      token: options.token,
      deadlineMs: options.deadlineMs,
    },
  );
  return {
    promote: (request) =>
      callUnary<trainerV1.PromoteResponse__Output>(client, 'Promote', request, {}).catch((err: unknown) => {
        throw fromGrpcError(err);
      }),
    close: () => client.close(),
  };
}
