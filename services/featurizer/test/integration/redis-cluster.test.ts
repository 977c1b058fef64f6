// The featurizer's Redis paths on Redis Cluster (`./scripts/omen stack up --cluster`, which sets
// OMEN_CLUSTER=1): the history script and its MULTI reads stay in one repository's slot, the
// online store's writes span slots, and a master killed during writes fails over to its replica
// while the same clients carry on, losing nothing. Skipped on the single-node stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, keySlot, type RedisClient } from '@omen/service';
import { clusterStackUp, randomName, redisMasterOfSlot, stackEnv, waitRedisClusterHealthy } from '@omen/testing';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import { RedisOnlineStore } from '../../src/adapters/redis-online-store.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import type { FeatureRow } from '../../src/domain/rows.ts';
import { EXPRESS_REPO, readExpressCommits } from '../helpers/express.ts';

const cluster = clusterStackUp();
const prefix = randomName('omen-test-fzc');
const commits = readExpressCommits().slice(0, 400);
const now = (): number => 1;
let redis: RedisClient;

/** Retries a write until the cluster takes it (what the featurizer's consumer does by redelivery). */
async function untilWritten<T>(fn: () => Promise<T>, failures: { n: number }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      failures.n++;
      if (attempt > 200) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function row(repo: string, i: number): FeatureRow {
  return {
    event_id: `e${i}`,
    repo_id: repo,
    sha: i.toString(16).padStart(40, '0'),
    feature_set: 'jit',
    feature_set_version: 1,
    values: { la: i, ld: i * 2 },
    file_metrics: null,
    computed_at: 1,
    event_time: i,
  };
}

describe.skipIf(!cluster)('featurizer Redis paths on Redis Cluster', () => {
  beforeAll(async () => {
    await waitRedisClusterHealthy();
    redis = createRedisClient(stackEnv('REDIS_URL').REDIS_URL, { maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
  });
  afterAll(() => redis?.disconnect());

  it('runs the history script and reads, and agrees with the in-memory store, for repositories in different slots', async () => {
    const repos = [EXPRESS_REPO, 'github:omen-test/other'];
    expect(keySlot(repos[0]!)).not.toBe(keySlot(repos[1]!));
    for (const repo of repos) {
      const store = new RedisHistoryStore(redis, { prefix: `${prefix}:h` });
      const memory = new InMemoryHistoryStore();
      const batch = commits.slice(0, 120).map((c) => ({ ...c, repo_id: repo }));
      for (let i = 0; i < batch.length; i += 40) {
        const part = batch.slice(i, i + 40);
        expect(await processCommits(store, repo, part, { now })).toEqual(
          await processCommits(memory, repo, part, { now }),
        );
      }
      expect((await store.commitRecords(repo)).size).toBe(120);
      expect(await store.resetRepository(repo, 2)).toBe(120);
    }
  });

  it('writes and reads online features of many repositories (one pipeline per slot)', async () => {
    const online = new RedisOnlineStore(redis, { prefix: `${prefix}:o` });
    const rows = Array.from({ length: 60 }, (_, i) => row(`github:omen-test/r${i}`, i));
    expect(new Set(rows.map((r) => keySlot(r.repo_id))).size).toBeGreaterThan(30);
    await online.write(rows);
    for (const r of rows)
      expect((await online.read(r.repo_id, r.sha, { name: 'jit', version: 1 }))?.values).toEqual(r.values);
  });

  it('a master SIGKILLed during writes fails over to its replica; the same clients carry on and nothing is lost', async () => {
    const history = new RedisHistoryStore(redis, { prefix: `${prefix}:f` });
    const memory = new InMemoryHistoryStore();
    const online = new RedisOnlineStore(redis, { prefix: `${prefix}:fo` });
    const victim = await redisMasterOfSlot(keySlot(EXPRESS_REPO));
    const failures = { n: 0 };
    const written: FeatureRow[] = [];
    let killedAt = -1;
    try {
      for (let i = 0; i < commits.length; i += 20) {
        const part = commits.slice(i, i + 20);
        if (i === 100) {
          victim.fail('SIGKILL');
          killedAt = i;
        }
        // History: the batch is retried whole until it lands, as a redelivered Kafka batch is;
        // the store's version check turns a write that landed before its reply was lost into a
        // conflict the processor re-reads, so the history equals one in-order pass.
        const fromRedis = await untilWritten(() => processCommits(history, EXPRESS_REPO, part, { now }), failures);
        expect(fromRedis).toEqual(await processCommits(memory, EXPRESS_REPO, part, { now }));
        const rows = part.map((c, j) => ({ ...row(EXPRESS_REPO, i + j), sha: c.sha }));
        await untilWritten(() => online.write(rows), failures);
        written.push(...rows);
      }
      const promoted = await redisMasterOfSlot(keySlot(EXPRESS_REPO), [victim.port]);
      expect(promoted.port).not.toBe(victim.port);
      expect(killedAt).toBe(100);
      // Everything acknowledged is there, read through the same client after the failover.
      expect((await history.commitRecords(EXPRESS_REPO)).size).toBe(commits.length);
      for (const r of written)
        expect((await online.read(r.repo_id, r.sha, { name: 'jit', version: 1 }))?.values, r.sha).toEqual(r.values);
      console.log(
        JSON.stringify({
          failover: { victim: victim.port, promoted: promoted.port, failedAttempts: failures.n, rows: written.length },
        }),
      );
    } finally {
      victim.restore();
      await waitRedisClusterHealthy(90_000);
    }
  }, 180_000);
});
