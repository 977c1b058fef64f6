// Promotions and rollbacks announced on the dev stack's NATS swap the served version with no
// failed request; a broken artifact is refused and the old version keeps serving.
import { natsServers } from '@omen/config';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv, waitFor } from '@omen/testing';
import { sha256Hex } from '@omen/model-registry';
import { createTestRegistry, jitGbdt, jitRow, jitValues, referenceP1, type TestRegistry } from '../helpers/fixtures.ts';
import { call, startTestService, type PredictResponse, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

// A model name of its own, so other test files' NATS events cannot reach this service.
const MODEL = `jit-swap-${process.pid}-${Date.now()}`;
let svc: TestService;
let reg: TestRegistry;
let nc: NatsConnection;
const values = jitValues(21);
const predict = () => call<PredictResponse>(svc.client, 'Predict', { model_name: MODEL, features: { values } });

beforeAll(async () => {
  const { NATS_URL } = stackEnv('NATS_URL');
  reg = await createTestRegistry(cleanup);
  await reg.publish(MODEL, 'v1', jitGbdt(1), ['champion']);
  svc = await startTestService(cleanup, {
    INFERENCE_REGISTRY_DIR: reg.dir,
    INFERENCE_MODELS: MODEL,
    INFERENCE_DEFAULT_MODEL: MODEL,
    NATS_URL,
  });
  await svc.running.ready;
  nc = await connect({ servers: natsServers(NATS_URL) });
  cleanup(() => nc.drain());
  // The subscription is set up after ready; wait until a promotion of the current version is a no-op it has seen.
  await waitFor(() => svc.app.models.served().length > 0);
});

const announce = (subject: string, body: unknown) => {
  nc.publish(subject, JSON.stringify(body));
  return nc.flush();
};

describe('NATS promotion and rollback', () => {
  it('swaps to a promoted version without failing requests in flight, refuses a corrupted one, and rolls back', async () => {
    expect((await predict()).model_version).toBe('v1');
    const v2 = await reg.publish(MODEL, 'v2', jitGbdt(2));

    // Requests keep flowing while the swap happens; none may fail.
    let stop = false;
    const seen = new Set<string>();
    const load = (async () => {
      let n = 0;
      while (!stop) {
        const batch = await Promise.all(Array.from({ length: 20 }, () => predict()));
        for (const r of batch) seen.add(r.model_version);
        n += batch.length;
      }
      return n;
    })();
    await waitFor(
      async () => {
        // Subscriptions race the first publish; re-announcing is idempotent.
        await announce('model.promoted', { model: MODEL, version: 'v2', sha256: sha256Hex(v2), alias: 'champion' });
        return (await predict()).model_version === 'v2';
      },
      { message: 'v2 to be served', timeoutMs: 20_000, intervalMs: 200 },
    );
    stop = true;
    expect(await load).toBeGreaterThan(0);
    expect(seen.has('v2')).toBe(true);
    const [p2] = await referenceP1(v2, [jitRow(values)]);
    expect((await predict()).bug_probability).toBeCloseTo(p2!, 6);

    // v3's blob is tampered with after registration: its sha256 no longer matches.
    const v3 = await reg.publish(MODEL, 'v3', jitGbdt(3));
    const blob = reg.registry.blobPath(sha256Hex(v3));
    const bytes = await readFile(blob);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await writeFile(blob, bytes);
    await announce('model.promoted', { model: MODEL, version: 'v3', sha256: sha256Hex(v3), alias: 'champion' });
    const failure = await waitFor(() => svc.app.models.lastErrors().find((e) => e.version === 'v3'), {
      message: 'the v3 load to fail',
    });
    expect(failure.error).toMatch(/has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing a corrupted/);
    expect((await predict()).model_version).toBe('v2');
    const metrics = await (await fetch(`${svc.running.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `omen_inference_model_events_total\\{[^}]*event="load_failed"[^}]*version="v3"|omen_inference_model_events_total\\{[^}]*version="v3"[^}]*event="load_failed"`,
      ),
    );

    // An event whose hash differs from the registry's artifact is refused too.
    await announce('model.promoted', { model: MODEL, version: 'v1', sha256: 'a'.repeat(64), alias: 'champion' });
    await waitFor(() => svc.app.models.lastErrors().some((e) => e.version === 'v1'), {
      message: 'the mismatched v1 event to be refused',
    });
    expect((await predict()).model_version).toBe('v2');

    await announce('model.rolledback', { model: MODEL, version: 'v1', alias: 'champion' });
    await waitFor(async () => (await predict()).model_version === 'v1', { message: 'the rollback to v1' });
  });

  it('keeps a replaced version alive while a request still holds it, then releases it', async () => {
    const old = svc.app.models.get(MODEL);
    const release = old.lease();
    const next = old.version === 'v1' ? 'v4' : 'v1';
    const bytes = await reg.publish(MODEL, 'v4', jitGbdt(4));
    await announce('model.promoted', {
      model: MODEL,
      version: next,
      ...(next === 'v4' ? { sha256: sha256Hex(bytes) } : {}),
      alias: 'champion',
    });
    await waitFor(async () => (await predict()).model_version === next, { message: `${next} to be served` });
    // The request that resolved the old version before the swap still gets its answer.
    const row = jitRow(values);
    const out = await old.infer({ x: row, rows: 1 });
    expect(out.p1[0]).toBeGreaterThan(0);
    release();
    await waitFor(
      async () => {
        try {
          await old.infer({ x: row, rows: 1 });
          return false;
        } catch (err) {
          return /was unloaded/.test((err as Error).message);
        }
      },
      { message: 'the old version to be released' },
    );
    await announce('model.rolledback', { model: MODEL, version: 'v1', alias: 'champion' });
    await waitFor(async () => (await predict()).model_version === 'v1', { message: 'back to v1' });
  });

  it('ignores malformed control messages and keeps serving', async () => {
    nc.publish('model.promoted', 'not json');
    await announce('model.promoted', { model: MODEL });
    expect((await predict()).model_version).toBe('v1');
  });
});
