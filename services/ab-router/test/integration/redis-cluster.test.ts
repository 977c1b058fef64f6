// ab-router's experiment store on Redis Cluster (`./scripts/omen stack up --cluster`, which sets
// OMEN_CLUSTER=1): every script (create, transition, ramp), the decision transaction and the
// statistics pipelines run there — a key outside the `{prefix}` tag would be CROSSSLOT — and the
// store carries on through the failover of the master that holds its slot. Skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '@omen/service';
import { clusterStackUp, randomName, redisMasterOfSlot, stackEnv, waitRedisClusterHealthy } from '@omen/testing';
import { ExperimentStore } from '../../src/adapters/redis-store.ts';
import type { ExperimentSpec } from '../../src/domain/experiment.ts';

const cluster = clusterStackUp();
const prefix = randomName('omen-test-abc');
let store: ExperimentStore;

const spec = (model: string): ExperimentSpec => ({
  name: `cluster ${model}`,
  description: '',
  modelName: model,
  arms: [
    { name: 'control', modelVersion: 'champion', weight: 1 },
    { name: 'treatment', modelVersion: 'v2', weight: 1 },
  ],
  unit: 'repo',
  primaryMetric: 'latency_ms',
  metrics: ['latency_ms'],
  guardrails: [],
  alpha: 0.05,
});

async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt > 150) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe.skipIf(!cluster)('ab-router ExperimentStore on Redis Cluster', () => {
  beforeAll(async () => {
    await waitRedisClusterHealthy();
    store = new ExperimentStore({ url: stackEnv('REDIS_URL').REDIS_URL, prefix, commandTimeoutMs: 2000 });
    store.redis.on('error', () => undefined);
    await store.connect();
  });
  afterAll(() => store?.close());

  it('runs the create, transition and ramp scripts, the decision transaction and the stats pipelines', async () => {
    const a = await store.create(spec('m-a'));
    await expect(store.create(spec('m-a'))).rejects.toThrow(/already has a running experiment/);
    expect(await store.ramp(a.id, 0)).toBe(true);
    await store.saveDecision(a.id, '{"d":1}');
    expect(await store.decisions(a.id)).toEqual(['{"d":1}']);
    await store.addObservations(
      new Map([[a.id, new Map([['control|latency_ms', { n: 2, sum: 3, sumSq: 5 }]])]]),
      new Map([[a.id, new Map([['control', ['u1', 'u2']]])]]),
    );
    const stats = await store.stats(a.id, ['control', 'treatment']);
    expect(stats.units.get('control')).toBe(2);
    expect(stats.moments.get('control|latency_ms')).toEqual({ n: 2, sum: 3, sumSq: 5 });
    const { record, changed } = await store.transition(a.id, 'STOPPED', 'done');
    expect([record.state, changed]).toEqual(['STOPPED', true]);
    // A second experiment for the same model now, its create reading the stopped one by name.
    const b = await store.create(spec('m-a'));
    expect((await store.all()).active.get('m-a')).toBe(b.id);
  });

  it('keeps working through a failover of the master holding its slot, with the same client', async () => {
    const victim = await redisMasterOfSlot(keySlot(`{${prefix}}:experiments`));
    const created: string[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        if (i === 10) victim.fail('SIGKILL');
        // A create whose reply was lost may have run: a retry then meets ALREADY_EXISTS for its own model.
        const model = `fo-${i}`;
        const rec = await retried(async () => {
          try {
            return await store.create(spec(model));
          } catch (err) {
            if (/already has a running experiment/.test((err as Error).message))
              return { id: (await store.all()).active.get(model)! };
            throw err;
          }
        });
        created.push(rec.id);
      }
      const { records, active } = await retried(() => store.all());
      for (const [i, id] of created.entries()) {
        expect(active.get(`fo-${i}`)).toBe(id);
        expect(records.some((r) => r.id === id)).toBe(true);
      }
    } finally {
      victim.restore();
      await waitRedisClusterHealthy(90_000);
    }
  }, 180_000);
});
