// Regression, issue 11 "hang on an engine stall", for the control plane: Promote publishes
// model.promoted and waited on a flush that a SIGSTOPped NATS never answers, so the call hung
// for as long as the stall and health said SERVING.
import * as grpc from '@grpc/grpc-js';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { trainerV1 } from '@omen/contracts';
import { checkHealth } from '@omen/grpc';
import { MODEL_EVENT_SUBJECTS } from '@omen/model-registry';
import { startPrivateNats, waitFor, type PrivateEngine } from '@omen/testing';
import { exportOnnx, trainLogistic } from '../../src/domain/index.ts';
import { gaussianRows, makeDataset } from '../helpers/fixtures.ts';
import { startTestTrainer, type TestTrainer } from '../helpers/service.ts';

const MODEL = `nats-stall-${Math.random().toString(16).slice(2, 10)}`;
const NAMES = ['ns', 'nd', 'nf', 'entropy', 'la', 'ld', 'lt', 'fix', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp'];
const cleanups: Array<() => Promise<void>> = [];
let nats: PrivateEngine;
let t: TestTrainer;

beforeAll(async () => {
  nats = await startPrivateNats((fn) => cleanups.push(fn));
  t = await startTestTrainer({ NATS_URL: nats.url });
  const rows = gaussianRows(200, NAMES.length, 7);
  const onnx = exportOnnx(
    trainLogistic(
      makeDataset(
        NAMES,
        rows,
        rows.map((r) => (r[4]! > 0 ? 1 : 0)),
      ),
      { log1p: [] },
    ),
  );
  await t.app.registry.register({
    name: MODEL,
    version: 'v1',
    bytes: onnx,
    featureSet: { name: 'jit_change_metrics', version: 1 },
    featureNames: NAMES,
    reference: {},
    metrics: { auc: 0.7 },
  });
});
afterAll(async () => {
  await t?.close();
  for (const fn of cleanups.reverse()) await fn();
});

describe('NATS stalled (SIGSTOP)', () => {
  it('answers Promote UNAVAILABLE within 3 s, reports NOT_SERVING, and the repeated Promote is announced after SIGCONT', async () => {
    const address = `127.0.0.1:${t.svc.grpcPort}`;
    const listener = await connect({ servers: nats.url });
    cleanups.push(() => listener.drain());
    const announced: Array<{ model: string; version: string }> = [];
    listener.subscribe(MODEL_EVENT_SUBJECTS.promoted, {
      callback: (_err, msg) => {
        const body = JSON.parse(new TextDecoder().decode(msg.data)) as { model: string; version: string };
        if (body.model === MODEL) announced.push(body);
      },
    });
    await listener.flush();
    expect(await checkHealth(address)).toBe('SERVING');

    await nats.stalled(async () => {
      const t0 = performance.now();
      const refused = await t.call('Promote', { model_name: MODEL, version: 'v1' }).catch((e: grpc.ServiceError) => e);
      const ms = performance.now() - t0;
      expect((refused as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
      expect((refused as grpc.ServiceError).details).toMatch(/repeat the call/);
      expect(ms).toBeLessThan(3000);
      await waitFor(async () => (await checkHealth(address)) === 'NOT_SERVING', {
        timeoutMs: 10_000,
        message: 'NOT_SERVING while NATS is stopped',
      });
    });

    await waitFor(async () => (await checkHealth(address)) === 'SERVING', {
      timeoutMs: 10_000,
      message: 'SERVING after SIGCONT',
    });
    const again = await t.call<trainerV1.PromoteResponse__Output>('Promote', { model_name: MODEL, version: 'v1' });
    expect(again.changed).toBe(false);
    // The repeated call re-announces; the publish cut short by the stall may arrive as well.
    await waitFor(() => announced.length >= 1, { timeoutMs: 10_000, message: 'model.promoted after SIGCONT' });
    expect(announced.every((a) => a.version === 'v1')).toBe(true);
  });
});
