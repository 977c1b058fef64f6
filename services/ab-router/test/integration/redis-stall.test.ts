// Regression, issue 11 "hang on an engine stall" for the ab-router: its Redis commands already had
// a timeout, but health only followed the connection's close/ready events, so a SIGSTOPped Redis
// (connection open, no answer) left it SERVING.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { abrouterV1 } from '@omen/contracts';
import { callUnary, checkHealth } from '@omen/grpc';
import { startPrivateRedis, waitFor } from '@omen/testing';
import { startStubInference, startTestRouter, uniquePrefix } from '../helpers/service.ts';

const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);

describe('Redis stalled (SIGSTOP)', () => {
  it('answers UNAVAILABLE within 2 s, reports NOT_SERVING while it lasts, and stores the retried experiment after SIGCONT', async () => {
    const redis = await startPrivateRedis(cleanup);
    const stub = await startStubInference(cleanup);
    const r = await startTestRouter(cleanup, {
      REDIS_URL: redis.url,
      INFERENCE_ADDR: stub.address,
      ABROUTER_KEY_PREFIX: uniquePrefix(),
      ABROUTER_REDIS_TIMEOUT: '300ms',
      ABROUTER_REFRESH: '60s',
    });
    const address = `127.0.0.1:${r.running.grpcPort}`;
    const spec = {
      spec: {
        name: 'stall',
        model_name: 'stall-model',
        arms: [
          { name: 'control', model_version: 'champion', weight: 1 },
          { name: 'treatment', model_version: 'v2', weight: 1 },
        ],
      },
    };
    expect(await checkHealth(address)).toBe('SERVING');

    await redis.stalled(async () => {
      const t0 = performance.now();
      const err = (await callUnary(r.admin, 'CreateExperiment', spec).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      await waitFor(async () => (await checkHealth(address)) === 'NOT_SERVING', {
        timeoutMs: 10_000,
        message: 'NOT_SERVING while Redis is stopped',
      });
    });

    await waitFor(async () => (await checkHealth(address)) === 'SERVING', {
      timeoutMs: 10_000,
      message: 'SERVING after SIGCONT',
    });
    // The create sent during the stall may have reached Redis when it resumed: the retry then
    // finds it RUNNING (ALREADY_EXISTS); either way exactly one experiment is running.
    const retried = await callUnary<abrouterV1.Experiment__Output>(r.admin, 'CreateExperiment', spec).catch(
      (e: grpc.ServiceError) => e,
    );
    if ('code' in retried) expect(retried.code).toBe(grpc.status.ALREADY_EXISTS);
    const { experiments } = await callUnary<abrouterV1.ListExperimentsResponse__Output>(r.admin, 'ListExperiments', {
      model_name: 'stall-model',
    });
    expect(experiments.filter((e) => e.state === 'EXPERIMENT_STATE_RUNNING')).toHaveLength(1);
  });
});
