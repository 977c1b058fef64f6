// The client side of the trainer-coordinator's gRPC API (omen.trainer.v1.Trainer), the registry's
// remote face: inference's TrainerModelSource, the drift detector's reference source and the CLI
// all call the trainer through this one class, so the address, token, deadline and the meaning
// of a failure are decided once. Failures keep their gRPC meaning as @omen/errors values
// (NOT_FOUND stays NOT_FOUND); UNAVAILABLE says which trainer and which call, because "connection
// refused" alone does not tell an operator which of several addresses is wrong.
import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type trainerV1 } from '@omen/contracts';
import { OmenError, UnavailableError, fromGrpcError, isOmenError } from '@omen/errors';
import { callUnary, createClient } from '@omen/grpc';

export interface TrainerClientOptions {
  /** The trainer-coordinator's gRPC address, `host:port`. */
  address: string;
  /**
   * Bearer token. The trainer's reads are open by default; its state-changing calls, and every
   * call of a trainer started with GRPC_REQUIRE_AUTH=true, need it (its ADMIN_TOKEN).
   */
  token?: string | { reveal(): string } | undefined;
  /** Deadline of a unary call. @default 10000 */
  deadlineMs?: number;
  /** @default grpc.credentials.createInsecure() */
  credentials?: grpc.ChannelCredentials;
}

/** The unary methods of omen.trainer.v1.Trainer. */
export type TrainerMethod = {
  [K in keyof trainerV1.TrainerClient]: K extends string ? (K extends Capitalize<K> ? K : never) : never;
}[keyof trainerV1.TrainerClient];

/** A failed trainer call as an @omen/errors value; `what` names the call for the message. */
export function trainerError(err: unknown, address: string, what: string): OmenError {
  if (isOmenError(err)) return err;
  const e = err as Partial<grpc.ServiceError>;
  if (e.code === grpc.status.UNAVAILABLE) {
    return new UnavailableError(
      `the trainer-coordinator at ${address} is unavailable (${what}): ${e.details || 'no details'}`,
      { cause: err },
    );
  }
  return fromGrpcError(err);
}

/**
 * `new TrainerClient({ address: 'trainer-coordinator:50051' })`: one gRPC channel to the trainer,
 * reconnecting by itself; `close()` releases it.
 */
export class TrainerClient {
  readonly address: string;
  /** The generated client, for streaming calls (GetArtifact); map their failures with trainerError. */
  readonly grpc: trainerV1.TrainerClient;

  constructor(options: TrainerClientOptions) {
    this.address = options.address;
    const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
    this.grpc = createClient(Trainer, options.address, {
      token: options.token,
      deadlineMs: options.deadlineMs ?? 10_000,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  /**
   * One unary call; a failure becomes an @omen/errors value whose `cause` is the gRPC error.
   * `what` names the call in an UNAVAILABLE message. @default method
   */
  async call<Res>(method: TrainerMethod, request: unknown, what: string = method): Promise<Res> {
    try {
      return await callUnary<Res>(this.grpc, method, request);
    } catch (err) {
      throw trainerError(err, this.address, what);
    }
  }

  close(): void {
    this.grpc.close();
  }
}
