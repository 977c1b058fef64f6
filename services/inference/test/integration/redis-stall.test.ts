// Regression, issue 11 "hang on an engine stall": inference already failed fast when Redis was
// SIGSTOPped (a command timeout), but its dependency gauge followed only the connection's
// close/ready events and said Redis was up through the stall. Health stays SERVING by design:
// inline requests do not need Redis.
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkHealth } from '@omen/grpc';
import { startPrivateRedis, waitFor } from '@omen/testing';
import { createTestRegistry, jitGbdt, jitValues } from '../helpers/fixtures.ts';
import { call, callError, startTestService, type PredictResponse } from '../helpers/service.ts';

const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);

describe('Redis stalled (SIGSTOP)', () => {
  it('fails commit requests fast with UNAVAILABLE, serves inline ones, reports Redis down, and recovers after SIGCONT', async () => {
    const redis = await startPrivateRedis(cleanup);
    const reg = await createTestRegistry(cleanup);
    await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
    const svc = await startTestService(cleanup, {
      INFERENCE_REGISTRY_DIR: reg.dir,
      REDIS_URL: redis.url,
      INFERENCE_REDIS_TIMEOUT: '250ms',
    });
    await svc.running.ready;
    const redisUp = async () =>
      /omen_dependency_up\{[^}]*dependency="redis"[^}]*\} (\d)/.exec(
        await (await fetch(`${svc.running.metricsUrl}/metrics`)).text(),
      )?.[1];
    const commit = { commit: { repo_id: 'github:acme/stall', sha: 'd'.repeat(40) } };
    const inline = {
      features: {
        values: jitValues(3),
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        repo_id: 'github:acme/stall',
        entity_id: 'x',
      },
    };
    expect((await callError(svc.client, 'Predict', commit)).code).toBe(5); // NOT_FOUND: Redis answered, no features

    await redis.stalled(async () => {
      const t0 = performance.now();
      const err = await callError(svc.client, 'Predict', commit);
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(err.code).toBe(14); // UNAVAILABLE
      expect((await call<PredictResponse>(svc.client, 'Predict', inline)).model_version).toBe('v1');
      await waitFor(async () => (await redisUp()) === '0', {
        timeoutMs: 10_000,
        message: 'omen_dependency_up{redis} 0 while Redis is stopped',
      });
      expect(await checkHealth(svc.address)).toBe('SERVING');
    });

    await waitFor(async () => (await redisUp()) === '1', {
      timeoutMs: 10_000,
      message: 'omen_dependency_up{redis} 1 after SIGCONT',
    });
    expect((await callError(svc.client, 'Predict', commit)).code).toBe(5);
  });
});
