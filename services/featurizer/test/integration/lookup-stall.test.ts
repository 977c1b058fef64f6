// Regression, issue 11 "hang on an engine stall": GetFeatures read Redis (no command timeout, an
// offline queue) and then ClickHouse (30 s) on the request path, so a stalled Redis held the call
// until it resumed while inference had asked with a 500 ms deadline.
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadGrpcObject } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { startPrivateRedis } from '@omen/testing';
import { startInProcessFeaturizer } from '../helpers/in-process.ts';

describe('GetFeatures with Redis stalled (SIGSTOP)', () => {
  it('answers UNAVAILABLE naming the online store within 2 s, and answers again after SIGCONT', async () => {
    const redis = await startPrivateRedis(onTestFinished);
    const t = await startInProcessFeaturizer('fzstall', {
      REDIS_URL: redis.url,
      FEATURIZER_LOOKUP_TIMEOUT: '500ms',
      FEATURIZER_CODE_METRICS: 'false',
    });
    onTestFinished(() => t.stop());
    const { omen } = loadGrpcObject('featurizer');
    const client = createClient(omen.featurizer.v1.Featurizer, `127.0.0.1:${t.featurizer.grpcPort}`, {
      deadlineMs: 30_000,
    });
    onTestFinished(() => Promise.resolve(client.close()));
    const get = () =>
      callUnary(client, 'GetFeatures', {
        repo_id: 'github:acme/stall',
        sha: 'c'.repeat(40),
        feature_set: '',
        feature_set_version: 0,
      }).catch((e: { code: number; details: string }) => e);

    expect(await get()).toMatchObject({ code: 5 }); // NOT_FOUND: both stores answered

    await redis.stalled(async () => {
      const t0 = performance.now();
      const err = await get();
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(err).toMatchObject({ code: 14, details: 'the online store (Redis) did not answer within 500 ms' }); // UNAVAILABLE
    });

    expect(await get()).toMatchObject({ code: 5 });
  });
});
