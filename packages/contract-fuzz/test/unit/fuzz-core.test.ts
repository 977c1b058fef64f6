import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METHOD_ROLES } from '@omen/auth';
import { InvalidArgumentError, NotFoundError, OmenError, toGrpcStatus } from '@omen/errors';
import {
  CREDENTIALS,
  authProblemsOf,
  caseBytes,
  contractMethods,
  expectedAuth,
  problemsOf,
  protoFilesUnder,
  requestCases,
  type CallOutcome,
} from '@omen/contract-fuzz';

const outcome = (o: Partial<CallOutcome>): CallOutcome => ({
  code: grpc.status.OK,
  details: '',
  metadata: new grpc.Metadata(),
  ms: 1,
  messages: 0,
  ...o,
});
const fromError = (err: unknown): CallOutcome => {
  const s = toGrpcStatus(err);
  return outcome({ code: s.code, details: s.details, metadata: s.metadata });
};

describe('contractMethods', () => {
  it('reads every service of every .proto file, streaming kinds included', () => {
    const methods = contractMethods();
    expect(protoFilesUnder().length).toBeGreaterThanOrEqual(7);
    const services = new Set(methods.map((m) => m.service));
    for (const s of [
      'omen.ingest.v1.Ingest',
      'omen.featurizer.v1.Featurizer',
      'omen.trainer.v1.Trainer',
      'omen.inference.v1.Inference',
      'omen.drift.v1.DriftDetector',
      'omen.abrouter.v1.AbRouter',
      'inference.GRPCInferenceService',
    ])
      expect(services).toContain(s);
    expect(methods.find((m) => m.path === '/omen.ingest.v1.Ingest/PublishCommits')).toMatchObject({
      requestStream: true,
      responseStream: false,
    });
    expect(methods.find((m) => m.path === '/omen.trainer.v1.Trainer/WatchRun')).toMatchObject({
      requestStream: false,
      responseStream: true,
    });
  });
});

describe('requestCases', () => {
  it('mixes hostile and plausible values and raw bytes for a request type', () => {
    const getRun = contractMethods().find((m) => m.path === '/omen.trainer.v1.Trainer/GetRun')!;
    const cases = fc.sample(requestCases(getRun.requestType, { plausible: { run_id: ['run-1'] } }), {
      seed: 5,
      numRuns: 300,
    });
    const ids = cases.flatMap((c) =>
      c.kind === 'message' && typeof c.value['run_id'] === 'string' ? [c.value['run_id']] : [],
    );
    expect(ids).toContain('run-1');
    expect(ids.some((id) => /[^\x20-\x7e]/.test(id))).toBe(true);
    expect(cases.some((c) => c.kind === 'raw')).toBe(true);
    for (const c of cases.slice(0, 50)) expect(() => caseBytes(getRun.requestType, c)).not.toThrow();
  });
});

describe('problemsOf', () => {
  const forbidden = ['omen:features-secret', '/srv/omen/state'];

  it('passes a well-formed refusal', () => {
    expect(problemsOf(fromError(new NotFoundError('no run "run-\\u{e9}"', 'run/run-é')), 10_000, forbidden)).toEqual(
      [],
    );
    expect(
      problemsOf(fromError(new InvalidArgumentError('must be 40 hex digits', 'commit.sha')), 10_000, forbidden),
    ).toEqual([]);
  });

  it('flags our-fault codes, a missed deadline, and refusals without google.rpc.Status details', () => {
    expect(
      problemsOf(outcome({ code: grpc.status.INTERNAL, details: 'internal error' }), 10_000, forbidden).join(),
    ).toMatch(/INTERNAL is not an answer/);
    expect(
      problemsOf(outcome({ code: grpc.status.UNAVAILABLE, details: 'Connection dropped' }), 10_000, forbidden).join(),
    ).toMatch(/UNAVAILABLE/);
    expect(problemsOf(outcome({ code: grpc.status.DEADLINE_EXCEEDED }), 10_000, forbidden).join()).toMatch(
      /no answer within/,
    );
    expect(problemsOf(outcome({ code: grpc.status.NOT_FOUND, details: 'gone' }), 10_000, forbidden).join()).toMatch(
      /without google.rpc.Status/,
    );
  });

  it('flags stack traces, storage keys, server paths, control characters and repeated prefixes', () => {
    const bad = (details: string) =>
      problemsOf({ ...fromError(new NotFoundError(details, 'x')), details }, 10_000, forbidden).join();
    expect(bad('TypeError: x\n    at run (/app/src/x.ts:3:9)')).toMatch(/stack trace/);
    expect(bad('key omen:features-secret:{r}:abc has no field')).toMatch(/storage key/);
    expect(bad('not in /srv/omen/state/blobs')).toMatch(/server path/);
    expect(bad('no run "a\u202eb"')).toMatch(/control or bidi/);
    expect(bad('inputs[0][0,0]: inputs[0][0, 0] (ns) is NaN')).toMatch(/repeats its prefix/);
  });
});

describe('expectedAuth / authProblemsOf', () => {
  const PROMOTE = '/omen.trainer.v1.Trainer/Promote';
  const GET_RUN = '/omen.trainer.v1.Trainer/GetRun';
  const refusal = (code: 'PERMISSION_DENIED' | 'UNAUTHENTICATED', reason: string, info: Record<string, string>) =>
    fromError(new OmenError(code, 'refused', { reason, info }));

  it('reads the role table: a reader never passes an admin method; reads are open unless auth is required; bad credentials are refused everywhere', () => {
    expect(expectedAuth(PROMOTE, 'jwt-reader', false)).toEqual({
      admitted: false,
      code: grpc.status.PERMISSION_DENIED,
      reason: 'ROLE_REQUIRED',
    });
    expect(expectedAuth(PROMOTE, 'jwt-operator', false)).toMatchObject({ admitted: false, reason: 'ROLE_REQUIRED' });
    expect(expectedAuth(PROMOTE, 'none', false)).toMatchObject({
      admitted: false,
      code: grpc.status.UNAUTHENTICATED,
      reason: 'MISSING_CREDENTIAL',
    });
    expect(expectedAuth(GET_RUN, 'none', false)).toEqual({ admitted: true });
    expect(expectedAuth(GET_RUN, 'none', true)).toMatchObject({ admitted: false, reason: 'MISSING_CREDENTIAL' });
    // A padded header never arrives (HTTP/2), so it is judged as no credential.
    expect(expectedAuth(GET_RUN, 'padded', false)).toEqual({ admitted: true });
    expect(expectedAuth(PROMOTE, 'padded', false)).toMatchObject({ admitted: false, reason: 'MISSING_CREDENTIAL' });
    expect(expectedAuth(GET_RUN, 'jwt-reader', true)).toEqual({ admitted: true });
    for (const path of Object.keys(METHOD_ROLES)) {
      expect(expectedAuth(path, 'jwt-admin', true)).toEqual({ admitted: true });
      expect(expectedAuth(path, 'admin', false)).toEqual({ admitted: true });
      for (const bad of [
        'malformed',
        'wrong',
        'jwt-expired',
        'jwt-wrong-issuer',
        'jwt-wrong-audience',
        'jwt-alg-none',
      ] as const)
        expect(expectedAuth(path, bad, false).admitted).toBe(false);
    }
    expect(CREDENTIALS).toContain('jwt-alg-none');
  });

  it('passes the refusal the role table asks for, and flags a reader let through, a bare refusal, the wrong reason or role', () => {
    expect(
      authProblemsOf(
        PROMOTE,
        'jwt-reader',
        false,
        refusal('PERMISSION_DENIED', 'ROLE_REQUIRED', { required_role: 'admin' }),
      ),
    ).toEqual([]);
    expect(authProblemsOf(PROMOTE, 'jwt-reader', false, outcome({ code: grpc.status.OK })).join()).toMatch(
      /got past auth \(OK\); want PERMISSION_DENIED ROLE_REQUIRED/,
    );
    expect(
      authProblemsOf(PROMOTE, 'jwt-reader', false, outcome({ code: grpc.status.PERMISSION_DENIED })).join(),
    ).toMatch(/without an auth ErrorInfo reason/);
    expect(
      authProblemsOf(
        PROMOTE,
        'jwt-reader',
        false,
        refusal('PERMISSION_DENIED', 'ROLE_REQUIRED', { required_role: 'operator' }),
      ).join(),
    ).toMatch(/required_role operator; METHOD_ROLES says admin/);
    expect(
      authProblemsOf(
        PROMOTE,
        'jwt-expired',
        false,
        refusal('PERMISSION_DENIED', 'INVALID_CREDENTIAL', { required_role: 'admin' }),
      ).join(),
    ).toMatch(/want UNAUTHENTICATED EXPIRED_CREDENTIAL/);
    expect(
      authProblemsOf(GET_RUN, 'jwt-reader', false, refusal('PERMISSION_DENIED', 'ROLE_REQUIRED', {})).join(),
    ).toMatch(/refused .* although METHOD_ROLES lets/);
    // A handler's own error after auth let the call in is not an auth problem.
    expect(authProblemsOf(GET_RUN, 'none', false, fromError(new NotFoundError('no run', 'run/x')))).toEqual([]);
  });
});
