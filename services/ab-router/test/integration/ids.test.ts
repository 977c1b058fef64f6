// Regression, issue 11: `AbRouter.GetExperiment{experiment_id:"x\ny"}` crashed the process (the id
// went into response metadata) and a 1 MB experiment_id never got a status back. The shared id
// grammar (@omen/ids) refuses both as INVALID_ARGUMENT naming the field, before any lookup.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callUnary, checkHealth } from '@omen/grpc';
import { stackEnv } from '@omen/testing';
import { startStubInference, startTestRouter, uniquePrefix, type TestRouter } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
let r: TestRouter;

beforeAll(async () => {
  const stub = await startStubInference(cleanup);
  r = await startTestRouter(cleanup, {
    REDIS_URL: stackEnv('REDIS_URL').REDIS_URL,
    INFERENCE_ADDR: stub.address,
    ABROUTER_KEY_PREFIX: uniquePrefix(),
  });
}, 60_000);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

describe('ids at the ab-router entry points', () => {
  it('refuses hostile and oversized experiment ids and model names with INVALID_ARGUMENT naming the field, and stays SERVING', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['GetExperiment', { experiment_id: 'x\ny' }, 'experiment_id'],
      ['GetExperiment', { experiment_id: 'exp-\u202Eevil' }, 'experiment_id'],
      ['StopExperiment', { experiment_id: '../../etc/passwd' }, 'experiment_id'],
      ['GetExperiment', { experiment_id: 'e'.repeat(1024 * 1024) }, 'experiment_id'],
      ['Route', { model_name: 'modèle', unit_id: 'u' }, 'model_name'],
      ['Route', { model_name: 'jit-defect', experiment_id: 'a"b', unit_id: 'u' }, 'experiment_id'],
    ];
    for (const [method, request, field] of cases) {
      const err = (await callUnary(r.admin, method, request).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(err.code, `${method} ${field}`).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.details.startsWith(`${field} must be`)).toBe(true);
      // Escaped and cut: never the raw value, never a megabyte.
      expect(err.details.length).toBeLessThan(300);
      expect(err.details).not.toMatch(/[^\x20-\x7e]/);
    }
    expect(await checkHealth(`127.0.0.1:${r.running.grpcPort}`)).toBe('SERVING');
  });
});
