import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, toGrpcStatus } from '@omen/errors';
import { caseBytes, contractMethods, problemsOf, protoFilesUnder, requestCases, type CallOutcome } from '@omen/contract-fuzz';

const outcome = (o: Partial<CallOutcome>): CallOutcome => ({ code: grpc.status.OK, details: '', metadata: new grpc.Metadata(), ms: 1, messages: 0, ...o });
const fromError = (err: unknown): CallOutcome => {
  const s = toGrpcStatus(err);
  return outcome({ code: s.code, details: s.details, metadata: s.metadata });
};

describe('contractMethods', () => {
  it('reads every service of every .proto file, streaming kinds included', () => {
    const methods = contractMethods();
    expect(protoFilesUnder().length).toBeGreaterThanOrEqual(7);
    const services = new Set(methods.map((m) => m.service));
    for (const s of ['omen.ingest.v1.Ingest', 'omen.featurizer.v1.Featurizer', 'omen.trainer.v1.Trainer', 'omen.inference.v1.Inference', 'omen.drift.v1.DriftDetector', 'omen.abrouter.v1.AbRouter', 'inference.GRPCInferenceService']) expect(services).toContain(s);
    expect(methods.find((m) => m.path === '/omen.ingest.v1.Ingest/PublishCommits')).toMatchObject({ requestStream: true, responseStream: false });
    expect(methods.find((m) => m.path === '/omen.trainer.v1.Trainer/WatchRun')).toMatchObject({ requestStream: false, responseStream: true });
  });
});

describe('requestCases', () => {
  it('mixes hostile and plausible values and raw bytes for a request type', () => {
    const getRun = contractMethods().find((m) => m.path === '/omen.trainer.v1.Trainer/GetRun')!;
    const cases = fc.sample(requestCases(getRun.requestType, { plausible: { run_id: ['run-1'] } }), { seed: 5, numRuns: 300 });
    const ids = cases.flatMap((c) => (c.kind === 'message' && typeof c.value['run_id'] === 'string' ? [c.value['run_id']] : []));
    expect(ids).toContain('run-1');
    expect(ids.some((id) => /[^\x20-\x7e]/.test(id))).toBe(true);
    expect(cases.some((c) => c.kind === 'raw')).toBe(true);
    for (const c of cases.slice(0, 50)) expect(() => caseBytes(getRun.requestType, c)).not.toThrow();
  });
});

describe('problemsOf', () => {
  const forbidden = ['omen:features-secret', '/srv/omen/state'];

  it('passes a well-formed refusal', () => {
    expect(problemsOf(fromError(new NotFoundError('no run "run-\\u{e9}"', 'run/run-é')), 10_000, forbidden)).toEqual([]);
    expect(problemsOf(fromError(new InvalidArgumentError('must be 40 hex digits', 'commit.sha')), 10_000, forbidden)).toEqual([]);
  });

  it('flags our-fault codes, a missed deadline, and refusals without google.rpc.Status details', () => {
    expect(problemsOf(outcome({ code: grpc.status.INTERNAL, details: 'internal error' }), 10_000, forbidden).join()).toMatch(/INTERNAL is not an answer/);
    expect(problemsOf(outcome({ code: grpc.status.UNAVAILABLE, details: 'Connection dropped' }), 10_000, forbidden).join()).toMatch(/UNAVAILABLE/);
    expect(problemsOf(outcome({ code: grpc.status.DEADLINE_EXCEEDED }), 10_000, forbidden).join()).toMatch(/no answer within/);
    expect(problemsOf(outcome({ code: grpc.status.NOT_FOUND, details: 'gone' }), 10_000, forbidden).join()).toMatch(/without google.rpc.Status/);
  });

  it('flags stack traces, storage keys, server paths, control characters and repeated prefixes', () => {
    const bad = (details: string) => problemsOf({ ...fromError(new NotFoundError(details, 'x')), details }, 10_000, forbidden).join();
    expect(bad('TypeError: x\n    at run (/app/src/x.ts:3:9)')).toMatch(/stack trace/);
    expect(bad('key omen:features-secret:{r}:abc has no field')).toMatch(/storage key/);
    expect(bad('not in /srv/omen/state/blobs')).toMatch(/server path/);
    expect(bad('no run "a\u202eb"')).toMatch(/control or bidi/);
    expect(bad('inputs[0][0,0]: inputs[0][0, 0] (ns) is NaN')).toMatch(/repeats its prefix/);
  });
});
