// The trainer client's mapping of failed calls into @omen/errors values (moved here with the
// client from inference's TrainerModelSource).
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError, isRetryable } from '@omen/errors';
import { ArtifactIntegrityError } from '../../src/artifact-store.ts';
import { trainerError } from '../../src/trainer-client.ts';

describe('trainerError', () => {
  const failure = (code: grpc.status, details: string, metadata = new grpc.Metadata()): grpc.ServiceError =>
    Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata });

  it('UNAVAILABLE becomes a retryable UnavailableError naming the trainer and the call', () => {
    const err = trainerError(
      failure(grpc.status.UNAVAILABLE, 'No connection established'),
      'trainer:50051',
      'GetArtifact jit@champion',
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toBe(
      'the trainer-coordinator at trainer:50051 is unavailable (GetArtifact jit@champion): No connection established',
    );
    expect(isRetryable(err)).toBe(true);
  });

  it("NOT_FOUND keeps the trainer's message and resource; other codes keep their code; our own refusals pass through", () => {
    const md = new grpc.Metadata();
    md.set('omen-resource', 'model/jit@canary');
    const notFound = trainerError(
      failure(grpc.status.NOT_FOUND, 'model "jit" has no alias "canary" (aliases: champion)', md),
      'a:1',
      'x',
    );
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({
      code: 'NOT_FOUND',
      message: 'model "jit" has no alias "canary" (aliases: champion)',
      resource: 'model/jit@canary',
    });
    expect(trainerError(failure(grpc.status.DATA_LOSS, 'artifact of jit/v3 has sha256 …'), 'a:1', 'x')).toMatchObject({
      code: 'DATA_LOSS',
    });
    expect(trainerError(failure(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), 'a:1', 'x')).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
    });
    expect(trainerError(failure(grpc.status.UNAUTHENTICATED, 'missing bearer token'), 'a:1', 'x')).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const own = new ArtifactIntegrityError('a'.repeat(64), 'b'.repeat(64), 'x');
    expect(trainerError(own, 'a:1', 'x')).toBe(own);
  });
});
