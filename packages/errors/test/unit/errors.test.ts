import { describe, expect, it } from 'vitest';
import { Metadata, status } from '@grpc/grpc-js';
import {
  ConfigError,
  InvalidArgumentError,
  NotFoundError,
  OmenError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  errorCodes,
  fromGrpcError,
  isRetryable,
  isRetryableGrpcStatus,
  toGrpcStatus,
  toHttpStatus,
} from '@omen/errors';

describe('OmenError', () => {
  it('keeps code, message, cause and extra props, and names the subclass', () => {
    const cause = new Error('socket hang up');
    const err = new UnavailableError('redis is down', { cause, retryAfterMs: 1500, host: 'redis-0' });
    expect(err).toBeInstanceOf(OmenError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.name).toBe('UnavailableError');
    expect(err.cause).toBe(cause);
    expect(err.retryAfterMs).toBe(1500);
    expect(err.props).toEqual({ host: 'redis-0' });
    expect(err.toJSON()).toMatchObject({ code: 'UNAVAILABLE', message: 'redis is down', host: 'redis-0' });
  });

  it('every code maps to a gRPC status of the same name', () => {
    for (const code of errorCodes) {
      expect(status[toGrpcStatus(new OmenError(code, 'x')).code]).toBe(code);
    }
  });
});

describe('toGrpcStatus', () => {
  it('INVALID_ARGUMENT names the field in details and in omen-field metadata', () => {
    const s = toGrpcStatus(new InvalidArgumentError('must be a 40-hex sha', 'commit.sha'));
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe('commit.sha: must be a 40-hex sha');
    expect(s.metadata.get('omen-field')).toEqual(['commit.sha']);
  });

  it('does not repeat a field the message already names', () => {
    const s = toGrpcStatus(new InvalidArgumentError('threshold must be in [0,1]', 'threshold'));
    expect(s.details).toBe('threshold must be in [0,1]');
  });

  it('turns unknown errors into INTERNAL without leaking their message', () => {
    const s = toGrpcStatus(new Error('ECONNREFUSED 10.0.0.7:8123 SELECT secret_column'));
    expect(s.code).toBe(status.INTERNAL);
    expect(s.details).toBe('internal error');
    expect(s.details).not.toContain('10.0.0.7');
    expect(toGrpcStatus('a string').code).toBe(status.INTERNAL);
  });

  it('carries retryAfterMs as grpc-retry-pushback-ms and resources as omen-resource', () => {
    expect(toGrpcStatus(new UnavailableError('busy', { retryAfterMs: 250.2 })).metadata.get('grpc-retry-pushback-ms')).toEqual(['251']);
    expect(toGrpcStatus(new NotFoundError('no such model', 'model/jit-v3')).metadata.get('omen-resource')).toEqual(['model/jit-v3']);
  });
});

describe('toHttpStatus', () => {
  it.each([
    [new InvalidArgumentError('bad', 'a'), 400],
    [new UnauthenticatedError(), 401],
    [new PermissionDeniedError(), 403],
    [new NotFoundError('gone'), 404],
    [new ResourceExhaustedError('slow down', { limit: 'rps' }), 429],
    [new UnavailableError('down'), 503],
    [new OmenError('DEADLINE_EXCEEDED', 'late'), 504],
  ])('%s → %i', (err, expected) => {
    expect(toHttpStatus(err).status).toBe(expected);
  });

  it('puts code, message and field in the body and Retry-After in whole seconds', () => {
    const r = toHttpStatus(new InvalidArgumentError('required', 'repo'));
    expect(r.body).toEqual({ error: { code: 'INVALID_ARGUMENT', message: 'required', field: 'repo' } });
    expect(toHttpStatus(new UnavailableError('down', { retryAfterMs: 1200 })).headers['Retry-After']).toBe('2');
    expect(toHttpStatus(new UnauthenticatedError()).headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('hides unknown errors behind a generic 500', () => {
    const r = toHttpStatus(new TypeError('cannot read properties of undefined (reading "password")'));
    expect(r).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } }, headers: {} });
  });
});

describe('isRetryable', () => {
  it('retries transient conditions only', () => {
    expect(isRetryable(new UnavailableError('down'))).toBe(true);
    expect(isRetryable(new ResourceExhaustedError('quota'))).toBe(true);
    expect(isRetryable(new InvalidArgumentError('bad'))).toBe(false);
    expect(isRetryable(new PermissionDeniedError())).toBe(false);
    expect(isRetryable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('grpc'), { code: status.UNAVAILABLE }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('grpc'), { code: status.NOT_FOUND }))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });

  it('classifies gRPC status numbers', () => {
    expect(isRetryableGrpcStatus(status.UNAVAILABLE)).toBe(true);
    expect(isRetryableGrpcStatus(status.DEADLINE_EXCEEDED)).toBe(true);
    expect(isRetryableGrpcStatus(status.OK)).toBe(false);
    expect(isRetryableGrpcStatus(status.INVALID_ARGUMENT)).toBe(false);
    expect(isRetryableGrpcStatus(999)).toBe(false);
  });
});

describe('fromGrpcError', () => {
  it('round-trips an InvalidArgumentError field through status metadata', () => {
    const s = toGrpcStatus(new InvalidArgumentError('too long', 'message'));
    const back = fromGrpcError(Object.assign(new Error(s.details), s));
    expect(back).toBeInstanceOf(InvalidArgumentError);
    expect((back as InvalidArgumentError).field).toBe('message');
    expect(fromGrpcError({ code: status.UNAVAILABLE, details: 'x', metadata: new Metadata() }).code).toBe('UNAVAILABLE');
  });
});

describe('ConfigError', () => {
  it('names every problem, one line each', () => {
    const err = ConfigError.fromProblems([
      { variable: 'GRPC_PORT', expected: 'a port 0-65535', got: '"abc"' },
      { variable: 'REDIS_URL', expected: 'a URL', got: 'nothing (unset)' },
    ]);
    expect(err.variable).toBe('GRPC_PORT');
    expect(err.problems).toHaveLength(2);
    expect(err.message.split('\n')).toEqual([
      'GRPC_PORT: expected a port 0-65535, got "abc"',
      'REDIS_URL: expected a URL, got nothing (unset)',
    ]);
  });
});
