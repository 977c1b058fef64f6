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
  STATUS_DETAILS_KEY,
  UnavailableError,
  decodeStatusDetails,
  errorCodes,
  fromGrpcError,
  isRetryable,
  isRetryableGrpcStatus,
  quote,
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
    expect(
      toGrpcStatus(new UnavailableError('busy', { retryAfterMs: 250.2 })).metadata.get('grpc-retry-pushback-ms'),
    ).toEqual(['251']);
    expect(toGrpcStatus(new NotFoundError('no such model', 'model/jit-v3')).metadata.get('omen-resource')).toEqual([
      'model/jit-v3',
    ]);
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
    expect(fromGrpcError({ code: status.UNAVAILABLE, details: 'x', metadata: new Metadata() }).code).toBe(
      'UNAVAILABLE',
    );
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

describe('google.rpc.Status details (grpc-status-details-bin)', () => {
  const details = (s: { metadata: Metadata }) => {
    const bin = s.metadata.get(STATUS_DETAILS_KEY)[0];
    if (!(bin instanceof Buffer)) throw new Error('no grpc-status-details-bin');
    return decodeStatusDetails(bin)!;
  };

  it('carries code, message, ErrorInfo and a BadRequest field violation', () => {
    const s = toGrpcStatus(new InvalidArgumentError('must be a 40-hex sha', 'commit.sha', { reason: 'BAD_SHA' }));
    const d = details(s);
    expect(d.code).toBe(status.INVALID_ARGUMENT);
    expect(d.message).toBe(s.details);
    expect(d.errorInfo).toEqual({ reason: 'BAD_SHA', domain: 'omen.dev', metadata: { field: 'commit.sha' } });
    expect(d.badRequest?.fieldViolations).toHaveLength(1);
    expect(d.badRequest?.fieldViolations[0]).toMatchObject({
      field: 'commit.sha',
      description: 'commit.sha: must be a 40-hex sha',
    });
  });

  it('gives NOT_FOUND a ResourceInfo and the code as the default reason; RetryInfo where a delay exists', () => {
    const nf = details(toGrpcStatus(new NotFoundError('no run', 'run/abc')));
    expect(nf.errorInfo?.reason).toBe('NOT_FOUND');
    expect(nf.resourceInfo).toMatchObject({ resourceType: 'run', resourceName: 'run/abc' });
    expect(details(toGrpcStatus(new UnavailableError('busy', { retryAfterMs: 1500 }))).retryInfo).toEqual({
      retryDelayMs: 1500,
    });
  });

  it('does not repeat a field the message names with other spacing', () => {
    const s = toGrpcStatus(new InvalidArgumentError('inputs[0][0, 0] (ns) is NaN', 'inputs[0][0,0]'));
    expect(s.details).toBe('inputs[0][0, 0] (ns) is NaN');
  });

  it('finding "run-é": a caller id outside printable ASCII becomes legal metadata and reads back intact', () => {
    for (const id of ['run-é', 'x\ny', 'modèle', '\u202e\0\uffff🚀']) {
      const s = toGrpcStatus(new NotFoundError(`no run ${quote(id)}`, `run/${id}`));
      expect(s.details).not.toMatch(/[\n\0\u202e\uffff]/);
      const back = fromGrpcError(Object.assign(new Error(s.details), s));
      expect(back).toBeInstanceOf(NotFoundError);
      expect((back as NotFoundError).resource).toBe(`run/${id}`);
    }
  });

  it('reads the reason and retry delay back; falls back to omen metadata without the details', () => {
    const back = fromGrpcError(
      Object.assign(
        new Error('x'),
        toGrpcStatus(new UnavailableError('busy', { retryAfterMs: 900, reason: 'REDIS_STALLED' })),
      ),
    );
    expect(back.reason).toBe('REDIS_STALLED');
    expect(back.retryAfterMs).toBe(900);
    const md = new Metadata();
    md.set('omen-resource', 'model/caf%C3%A9');
    expect((fromGrpcError({ code: status.NOT_FOUND, details: 'x', metadata: md }) as NotFoundError).resource).toBe(
      'model/café',
    );
  });

  it("sends an error's info as ErrorInfo metadata and reads it back (the role an auth refusal names)", () => {
    const s = toGrpcStatus(
      new PermissionDeniedError('this method needs the admin role', {
        reason: 'ROLE_REQUIRED',
        info: { required_role: 'admin' },
      }),
    );
    expect(details(s).errorInfo).toEqual({
      reason: 'ROLE_REQUIRED',
      domain: 'omen.dev',
      metadata: { required_role: 'admin' },
    });
    const back = fromGrpcError(Object.assign(new Error(s.details), s));
    expect(back.reason).toBe('ROLE_REQUIRED');
    expect(back.info).toEqual({ required_role: 'admin' });
  });

  it('keeps the trailers small whatever the caller sent', () => {
    const huge = 'é'.repeat(1_000_000);
    const s = toGrpcStatus(new InvalidArgumentError(`bad ${huge}`, `ids.${huge}`));
    const bytes = Object.values(s.metadata.toJSON())
      .flat()
      .reduce((n: number, v) => n + Buffer.byteLength(v), Buffer.byteLength(s.details));
    expect(bytes).toBeLessThan(8192);
  });
});
