import type { RedisClient } from '@omen/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomName } from '@omen/testing';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import type { CommitInput } from '../../src/domain/commit.ts';
import { emptyChanges } from '../../src/domain/history.ts';
import type { CommitRecord, LegacyCommitRecord, Namespace } from '../../src/domain/history.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits, processIssues } from '../../src/domain/processor.ts';
import type { CommitResult } from '../../src/domain/processor.ts';
import type { Pruned } from '../../src/domain/retention.ts';
import { EXPRESS_REPO, readExpressCommits } from '../helpers/express.ts';
import { connectTestRedis, dropAndDisconnect } from '../helpers/redis.ts';

// Retention in the real Redis write script: after N + k commits only the window of N keeps its
// outputs, a redelivery inside it re-emits identical outputs, and everything new is computed
// exactly as without pruning.
let redis: RedisClient;
const prefix = randomName('omen-test-fzret');
beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(() => dropAndDisconnect(redis, prefix));

const N = 100;
const BATCH = 50;
const commits = readExpressCommits().slice(0, 700);
const now = (): number => 11;

async function run(
  store: RedisHistoryStore | InMemoryHistoryStore,
  list: readonly CommitInput[],
): Promise<CommitResult[]> {
  const out: CommitResult[] = [];
  for (let i = 0; i < list.length; i += BATCH)
    out.push(...(await processCommits(store, EXPRESS_REPO, list.slice(i, i + BATCH), { now })));
  return out;
}

async function hashOf(store: RedisHistoryStore, ns: Namespace): Promise<Record<string, string>> {
  return redis.hgetall(store.key(EXPRESS_REPO, ns));
}

describe('bounded featurizer state in Redis', () => {
  const pruned: Pruned[] = [];
  const windowed = () =>
    new RedisHistoryStore(redis, {
      prefix: `${prefix}:w`,
      retention: { commitOutputs: N },
      onPrune: (p) => pruned.push(p),
    });
  const unbounded = () =>
    new RedisHistoryStore(redis, { prefix: `${prefix}:u`, retention: { commitOutputs: 1_000_000 } });
  const k = 230;
  let first: CommitResult[];

  it('keeps the outputs of the last N commits after N + k, and every compact commit record', async () => {
    const store = windowed();
    first = await run(store, commits.slice(0, N + k));
    const last = commits.slice(k, N + k).map((c) => c.sha);
    expect(await redis.lrange(store.key(EXPRESS_REPO, 'window'), 0, -1)).toEqual(last);
    expect(Object.keys(await hashOf(store, 'outputs')).sort()).toEqual([...last].sort());
    expect(await redis.hlen(store.key(EXPRESS_REPO, 'commit'))).toBe(N + k);
    expect(pruned.reduce((s, p) => s + p.outputs, 0)).toBe(k);
    const recorded = await store.load(EXPRESS_REPO, { outputs: last });
    last.forEach((sha, i) => expect(recorded.records.outputs.get(sha), sha).toEqual(first[k + i]!.outputs));
  });

  it('re-emits identical outputs for a redelivery inside the window, and nothing beyond it, changing no state', async () => {
    const store = windowed();
    const before = await redis.hgetall(store.key(EXPRESS_REPO, 'meta'));
    const inside = await processCommits(store, EXPRESS_REPO, commits.slice(N + k - 40, N + k), { now: () => 999 });
    expect(inside.every((r) => r.replayed)).toBe(true);
    expect(inside.map((r) => r.outputs)).toEqual(first.slice(N + k - 40).map((r) => r.outputs));
    const beyond = await processCommits(store, EXPRESS_REPO, commits.slice(0, BATCH), { now: () => 999 });
    expect(beyond.every((r) => r.replayed && r.outputs === null)).toBe(true);
    expect(await redis.hgetall(store.key(EXPRESS_REPO, 'meta'))).toEqual(before);
  });

  it('computes new commits exactly as an unpruned store, and holds the same history', async () => {
    const store = windowed();
    const reference = unbounded();
    const refFirst = await run(reference, commits.slice(0, N + k));
    expect(refFirst).toEqual(first);
    // Both see the old batch again (an offset reset), then the rest of the stream.
    await run(reference, commits.slice(0, BATCH));
    const after = await run(store, commits.slice(N + k));
    expect(after).toEqual(await run(reference, commits.slice(N + k)));
    expect(after.every((r) => !r.replayed && r.outputs !== null)).toBe(true);
    for (const ns of ['file', 'dev', 'blame', 'versions', 'dag', 'commit', 'issue', 'pending'] as const) {
      expect(await hashOf(store, ns), ns).toEqual(await hashOf(reference, ns));
    }
    expect(await redis.hlen(store.key(EXPRESS_REPO, 'outputs'))).toBe(N);
    expect(await redis.hlen(reference.key(EXPRESS_REPO, 'outputs'))).toBe(commits.length);
  });

  it('prunes the same records as the in-memory store', async () => {
    // A window smaller than a batch: a write still keeps everything it applies.
    const store = new RedisHistoryStore(redis, {
      prefix: `${prefix}:m`,
      retention: { commitOutputs: 30, sweepLimit: 7 },
    });
    const memory = new InMemoryHistoryStore({ retention: { commitOutputs: 30, sweepLimit: 7 } });
    expect(await run(store, commits.slice(0, 333))).toEqual(await run(memory, commits.slice(0, 333)));
    expect(await redis.lrange(store.key(EXPRESS_REPO, 'window'), 0, -1)).toEqual(memory.window(EXPRESS_REPO));
    expect(Object.keys(await hashOf(store, 'outputs')).sort()).toEqual(memory.keys(EXPRESS_REPO, 'outputs'));
  });

  it('stores commit records without their default fields and reads every kind back whole', async () => {
    const store = new RedisHistoryStore(redis, { prefix: `${prefix}:c` });
    const plain: CommitRecord = {
      seq: 1,
      commitTime: 5,
      fix: false,
      fixByMessage: false,
      blamed: {},
      fullyBlamed: false,
      inducedBy: {},
      fixesIssues: {},
    };
    const full: CommitRecord = {
      seq: 2,
      commitTime: 6,
      fix: true,
      fixByMessage: true,
      blamed: { a: 2 },
      fullyBlamed: true,
      inducedBy: { b: 7 },
      fixesIssues: { '3': 8 },
    };
    const merge: CommitRecord = { ...plain, seq: null };
    const legacy: LegacyCommitRecord = {
      seq: 3,
      commitTime: 7,
      fix: false,
      blamed: {},
      fullyBlamed: false,
      inducedBy: {},
      fixesIssues: {},
      outputs: { computedAt: 1, jit: { la: 1 }, code: null, fileMetrics: null, findings: [], labels: [] },
    };
    const changes = emptyChanges();
    for (const [sha, rec] of Object.entries({ plain, full, merge, legacy }))
      changes.commit.set(sha, rec as CommitRecord);
    expect(await store.write(EXPRESS_REPO, { expectedVersion: 0, seq: 3, changes, applied: [], now: 1 })).toBe(true);
    const raw = await hashOf(store, 'commit');
    expect(JSON.parse(raw['plain']!)).toEqual({ seq: 1, commitTime: 5 });
    expect(JSON.parse(raw['merge']!)).toEqual({ seq: null, commitTime: 5 });
    const { records } = await store.load(EXPRESS_REPO, { commit: ['plain', 'full', 'merge', 'legacy'] });
    expect(Object.fromEntries(records.commit)).toEqual({ plain, full, merge, legacy });
  });

  it('drops pending issue links older than the bound, counting them', async () => {
    const counted: Pruned[] = [];
    const ttl = 60_000;
    const store = new RedisHistoryStore(redis, {
      prefix: `${prefix}:p`,
      retention: { pendingMs: ttl },
      onPrune: (p) => counted.push(p),
    });
    const bug = (number: number, shas: string[]) => ({
      repo_id: EXPRESS_REPO,
      number,
      is_bug: true,
      referenced_commit_shas: shas,
      event_time: 1,
    });
    const [a, b] = ['a'.repeat(40), 'b'.repeat(40)];
    await processIssues(store, EXPRESS_REPO, [bug(1, [a])], { now: () => 1_000 });
    await processIssues(store, EXPRESS_REPO, [bug(2, [b])], { now: () => 30_000 });
    await processIssues(store, EXPRESS_REPO, [bug(3, [])], { now: () => 1_000 + ttl });
    expect(Object.keys(await hashOf(store, 'pending'))).toEqual([b]);
    expect(await redis.zrange(store.key(EXPRESS_REPO, 'pending_at'), 0, -1, 'WITHSCORES')).toEqual([b, '30000']);
    expect(counted).toEqual([{ outputs: 0, pending: 1 }]);
    // The commit arrives: its link is used and its index entry goes with it.
    const late: CommitInput = { ...commits[0]!, sha: b };
    const [r] = await processCommits(store, EXPRESS_REPO, [late], { now: () => 40_000 });
    expect(r!.outputs!.labels.map((l) => [l.sha, l.method, l.issue_numbers])).toContainEqual([b, 'issue_link', [2]]);
    expect(await redis.hlen(store.key(EXPRESS_REPO, 'pending'))).toBe(0);
    expect(await redis.zcard(store.key(EXPRESS_REPO, 'pending_at'))).toBe(0);
  });
});
