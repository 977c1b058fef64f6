// A commit missing from Redis is fetched from the featurizer's GetFeatures (a gRPC peer, here a
// stand-in server speaking the real featurizer proto) before the request is refused.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtos, type featurizerV1 } from '@omen/contracts';
import { stackEnv } from '@omen/testing';
import { createTestRegistry, jitGbdt, jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { call, callError, startTestService, type PredictResponse, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const KNOWN = 'c0ffee0000000000000000000000000000000001';
const values = jitValues(77);
const asked: featurizerV1.GetFeaturesRequest__Output[] = [];
const authorizations: unknown[] = [];
const TOKEN = 'featurizer-token-0123456789';
let svc: TestService;
let champion: Uint8Array;

beforeAll(async () => {
  const server = new grpc.Server();
  server.addService(loadProtos(['featurizer'])['omen.featurizer.v1.Featurizer'] as grpc.ServiceDefinition, {
    GetFeatures: (
      c: grpc.ServerUnaryCall<featurizerV1.GetFeaturesRequest__Output, unknown>,
      cb: grpc.sendUnaryData<featurizerV1.GetFeaturesResponse>,
    ) => {
      asked.push(c.request);
      authorizations.push(c.metadata.get('authorization')[0]);
      if (c.request.sha !== KNOWN) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown commit' });
      cb(null, {
        repo_id: c.request.repo_id,
        sha: KNOWN,
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        values,
        source: 'FEATURE_SOURCE_OFFLINE',
      });
    },
    ListFeatureSets: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { feature_sets: [] }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  cleanup(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
  const reg = await createTestRegistry(cleanup);
  champion = await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
  svc = await startTestService(cleanup, {
    INFERENCE_REGISTRY_DIR: reg.dir,
    REDIS_URL: stackEnv('REDIS_URL').REDIS_URL,
    FEATURIZER_ADDR: `127.0.0.1:${port}`,
    INFERENCE_FEATURIZER_TOKEN: TOKEN,
    INFERENCE_CACHE_TTL: '0',
  });
  await svc.running.ready;
});

describe('featurizer fallback', () => {
  it('scores a commit Redis does not have with the featurizer’s features', async () => {
    const res = await call<PredictResponse>(svc.client, 'Predict', {
      commit: { repo_id: 'github:acme/fb', sha: KNOWN },
    });
    const [p] = await referenceP1(champion, [jitRow(values)]);
    expect(res.bug_probability).toBeCloseTo(p!, 6);
    expect(asked.at(-1)).toMatchObject({
      repo_id: 'github:acme/fb',
      sha: KNOWN,
      feature_set: 'jit_change_metrics',
      feature_set_version: 1,
      include_file_metrics: true,
    });
    // A featurizer with GRPC_REQUIRE_AUTH (as deployed) needs the token on every call.
    expect(authorizations.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('still answers NOT_FOUND naming the commit, not the Redis key, when the featurizer does not know it either', async () => {
    const sha = 'c0ffee0000000000000000000000000000000002';
    const err = await callError(svc.client, 'Predict', { commit: { repo_id: 'github:acme/fb', sha } });
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toContain(sha);
    expect(err.details).not.toContain(svc.featurePrefix);
  });
});
