// The schema in cluster mode, against the ClickHouse cluster of `./scripts/omen stack up --cluster`
// (2 shards × 2 replicas with ZooKeeper). Opt-in: OMEN_CLICKHOUSE_CLUSTER_TEST=1, with
// CLICKHOUSE_URL pointing at one node (from .omen/stack.env) and CLICKHOUSE_CLUSTER naming the
// cluster (default omen). Each test works in a database of its own, created and dropped ON CLUSTER.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { stackEnv } from '@omen/testing';
import { MIGRATIONS, logicalNames, migrate, type Migration } from '../../src/index.ts';

const enabled = process.env['OMEN_CLICKHOUSE_CLUSTER_TEST'] === '1';
const cluster = (process.env['CLICKHOUSE_CLUSTER'] ?? '').trim() || 'omen';

interface Node {
  shard: number;
  replica: number;
  address: string;
}

describe.runIf(enabled)(`schema on ClickHouse cluster ${cluster}`, () => {
  let admin: ClickHouse;
  let nodes: Node[];
  const databases: string[] = [];
  const url = enabled ? stackEnv().CLICKHOUSE_URL : '';

  async function freshDatabase(): Promise<ClickHouse> {
    const database = `migc_${randomBytes(4).toString('hex')}`;
    await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)} ON CLUSTER ${ident(cluster)}`);
    databases.push(database);
    return createClickHouse({ url, database, cluster, requestTimeoutMs: 300_000 });
  }

  /** Rows of a local table on one node, read through remote() from the node the test talks to. */
  async function localCounts(ch: ClickHouse, node: Node, table: string): Promise<Map<string, number>> {
    const rows = await ch.query<{ repo_id: string; n: number | string }>(
      sql`SELECT repo_id, count() AS n FROM remote(${node.address}, ${ident(ch.database)}, ${ident(table)}) GROUP BY repo_id`,
    );
    return new Map(rows.map((r) => [r.repo_id, Number(r.n)]));
  }

  beforeAll(async () => {
    admin = createClickHouse({ url, cluster, requestTimeoutMs: 300_000 });
    const rows = await admin.query<{
      shard_num: number | string;
      replica_num: number | string;
      host_address: string;
      port: number | string;
    }>(
      sql`SELECT shard_num, replica_num, host_address, port FROM system.clusters WHERE cluster = ${cluster} ORDER BY shard_num, replica_num`,
    );
    nodes = rows.map((r) => ({
      shard: Number(r.shard_num),
      replica: Number(r.replica_num),
      address: `${r.host_address}:${Number(r.port)}`,
    }));
  });

  afterAll(async () => {
    for (const d of databases)
      await admin
        ?.command(sql`DROP DATABASE IF EXISTS ${ident(d)} ON CLUSTER ${ident(cluster)}`)
        .catch(() => undefined);
    await admin?.close();
  });

  it('is a cluster of several shards with replicas', () => {
    expect(new Set(nodes.map((n) => n.shard)).size).toBeGreaterThanOrEqual(2);
    expect(nodes.length).toBeGreaterThan(new Set(nodes.map((n) => n.shard)).size);
  });

  it('creates replicated local tables and Distributed ones on every node, and a second run changes nothing', async () => {
    const ch = await freshDatabase();
    try {
      const first = await migrate(ch);
      expect(first.mode).toBe('cluster');
      expect(first.migrations.map((m) => m.status)).toEqual(MIGRATIONS.map(() => 'applied'));
      for (const node of nodes) {
        const tables = await ch.query<{ name: string; engine: string }>(
          sql`SELECT name, engine FROM remote(${node.address}, system, tables) WHERE database = ${ch.database}`,
        );
        const engines = new Map(tables.map((t) => [t.name, t.engine]));
        for (const name of MIGRATIONS.flatMap(logicalNames))
          expect(engines.get(name), `${name} on ${node.address}`).toMatch(/^(Distributed|View)$/);
        expect(engines.get('commit_features_local')).toBe('ReplicatedReplacingMergeTree');
        expect(engines.get('audit_events_local')).toBe('ReplicatedReplacingMergeTree');
      }
      const second = await migrate(ch);
      expect(second.migrations.map((m) => m.status)).toEqual(MIGRATIONS.map(() => 'up-to-date'));
    } finally {
      await ch.close();
    }
  });

  it("keeps one repository's rows on one shard, replicated, and FINAL/argMax exact through the Distributed table", async () => {
    const ch = await freshDatabase();
    try {
      await migrate(ch);
      const repos = Array.from({ length: 8 }, (_, i) => `git:repo-${i}`);
      const row = (repo: string, sha: string, computed: number, value: number): Record<string, unknown> => ({
        event_id: `${repo}:${sha}`,
        repo_id: repo,
        sha,
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        event_time: '2024-01-01 00:00:00',
        event_time_ms: 1_704_067_200_000,
        computed_at: '2024-01-01 00:00:00',
        computed_at_ms: computed,
        feature_names: ['la'],
        feature_values: [value],
      });
      // Every commit written twice (an at-least-once redelivery), the second copy newer.
      for (const pass of [1, 2])
        await ch.insert(
          'commit_features',
          repos.flatMap((r) => ['a', 'b', 'c'].map((s) => row(r, s, pass, pass * 10))),
        );
      // insert_distributed_sync: acknowledged means on the shards, so this reads them all at once.
      const final = await ch.query<{ n: number | string; s: number | string }>(
        sql`SELECT count() AS n, sum(la) AS s FROM features_jit_change_metrics_v1 WHERE la IS NOT NULL`,
      );
      expect(Number(final[0]?.n)).toBe(repos.length * 3);
      expect(Number(final[0]?.s)).toBe(repos.length * 3 * 20);
      const argmax = await ch.query<{ n: number | string }>(
        sql`SELECT count() AS n FROM (SELECT repo_id, sha, argMax(feature_values, computed_at_ms) AS v FROM commit_features GROUP BY repo_id, sha) WHERE v[1] = 20`,
      );
      expect(Number(argmax[0]?.n)).toBe(repos.length * 3);

      const byShard = new Map<number, Set<string>>();
      const deadline = Date.now() + 60_000;
      for (const node of nodes) {
        let counts = await localCounts(ch, node, 'commit_features_local');
        // Replication is asynchronous: the other replica of a shard catches up.
        while (
          byShard.has(node.shard) &&
          [...byShard.get(node.shard)!].some((r) => counts.get(r) !== 6) &&
          Date.now() < deadline
        ) {
          await new Promise((r) => setTimeout(r, 500));
          counts = await localCounts(ch, node, 'commit_features_local');
        }
        for (const [repo, n] of counts) expect(n, `${repo} on ${node.address}`).toBe(6);
        const seen = byShard.get(node.shard);
        if (seen) expect(new Set(counts.keys()), `replicas of shard ${node.shard}`).toEqual(seen);
        else byShard.set(node.shard, new Set(counts.keys()));
      }
      const placed = [...byShard.values()].flatMap((s) => [...s]);
      expect(placed.sort()).toEqual([...repos].sort());
      expect([...byShard.values()].filter((s) => s.size > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      await ch.close();
    }
  });

  it("answers an IN subquery over another Distributed table (the training set's label read)", async () => {
    const ch = await freshDatabase();
    try {
      await migrate(ch);
      const label = (repo: string, bug: number): Record<string, unknown> => ({
        event_id: `${repo}:s`,
        repo_id: repo,
        sha: 's',
        method: 'szz',
        is_bug_inducing: bug,
        is_fix: 0,
        fix_shas: [],
        issue_numbers: [],
        confidence: null,
        label_known_at: '2024-01-01 00:00:00',
        label_known_at_ms: 1,
      });
      await ch.insert(
        'commit_labels',
        Array.from({ length: 8 }, (_, i) => label(`git:r${i}`, i % 2)),
      );
      // 18.16 refuses this by default (distributed_product_mode = deny); the client's cluster settings make it GLOBAL IN.
      const rows = await ch.query<{ repo_id: string }>(sql`SELECT repo_id FROM commit_labels FINAL
        WHERE (repo_id, sha, method) IN (SELECT repo_id, sha, method FROM commit_labels WHERE is_bug_inducing = 1) ORDER BY repo_id`);
      expect(rows.map((r) => r.repo_id)).toEqual(['git:r1', 'git:r3', 'git:r5', 'git:r7']);
    } finally {
      await ch.close();
    }
  });

  it('adds a column to a table that holds rows: the local tables on every replica, the Distributed table on every server', async () => {
    const ch = await freshDatabase();
    const things: Migration = {
      version: 1,
      description: 'things',
      steps: [
        {
          kind: 'table',
          table: 'things',
          columns: sql`repo_id String,
      k String,
      v Int64`,
          engine: 'ReplacingMergeTree',
          engineArgs: ['v'],
          orderBy: 'repo_id, k',
          shardKey: 'cityHash64(repo_id)',
        },
      ],
    };
    const withSource: Migration = {
      version: 2,
      description: 'things.source',
      steps: [{ kind: 'addColumn', table: 'things', column: 'source', type: "String DEFAULT 'old'" }],
    };
    const options = { recordTable: 'things_migrations' };
    try {
      await migrate(ch, { ...options, migrations: [things] });
      const repos = Array.from({ length: 8 }, (_, i) => `github.com/o/r${i}`);
      await ch.insert(
        'things',
        repos.map((repo_id) => ({ repo_id, k: 'a', v: 1 })),
      );

      const report = await migrate(ch, { ...options, migrations: [things, withSource] });
      expect(report.migrations.map((m) => m.status)).toEqual(['up-to-date', 'applied']);
      for (const node of nodes) {
        const columns = await ch.query<{ table: string }>(
          sql`SELECT table FROM remote(${node.address}, system, columns) WHERE database = ${ch.database} AND name = 'source' ORDER BY table`,
        );
        expect(
          columns.map((c) => c.table),
          node.address,
        ).toEqual(['things', 'things_local']);
      }

      await ch.insert(
        'things',
        repos.map((repo_id) => ({ repo_id, k: 'a', v: 2, source: 'new' })),
      );
      const rows = await ch.query<{ repo_id: string; v: number | string; source: string }>(
        // k selected: 18.16 loses a sorting-key column that FINAL needs when ORDER BY is there and it is not.
        sql`SELECT repo_id, k, v, source FROM things FINAL ORDER BY repo_id`,
      );
      expect(rows.map((r) => [r.repo_id, Number(r.v), r.source])).toEqual(repos.map((r) => [r, 2, 'new']));
      const old = await ch.query<{ n: number | string }>(
        sql`SELECT count() AS n FROM things WHERE v = 1 AND source = 'old'`,
      );
      expect(Number(old[0]?.n)).toBe(repos.length);

      const again = await migrate(ch, { ...options, migrations: [things, withSource] });
      expect(again.migrations.map((m) => m.status)).toEqual(['up-to-date', 'up-to-date']);
    } finally {
      await ch.close();
    }
  });

  it('refuses a table a single server made under a logical name, before creating it', async () => {
    const ch = await freshDatabase();
    try {
      await ch.command(sql`CREATE TABLE predictions (repo_id String) ENGINE = MergeTree ORDER BY repo_id`);
      await expect(migrate(ch)).rejects.toThrow(/predictions exists as MergeTree.*not converted in place/);
      const made = await ch.query<{ name: string }>(
        sql`SELECT name FROM system.tables WHERE database = ${ch.database} AND name = 'commit_features'`,
      );
      expect(made).toEqual([]);
    } finally {
      await ch.close();
    }
  });

  it('is safe with several runners at once', async () => {
    const ch = await freshDatabase();
    const runners = Array.from({ length: 3 }, () =>
      createClickHouse({ url, database: ch.database, cluster, requestTimeoutMs: 300_000 }),
    );
    try {
      await Promise.all(runners.map((r) => migrate(r)));
      const recorded = await ch.query<{ version: number | string; n: number | string }>(
        sql`SELECT version, count() AS n FROM (SELECT DISTINCT version, scope FROM schema_migrations) GROUP BY version ORDER BY version`,
      );
      expect(recorded.map((r) => [Number(r.version), Number(r.n)])).toEqual(MIGRATIONS.map((m) => [m.version, 1]));
      expect((await migrate(ch)).migrations.every((m) => m.status === 'up-to-date')).toBe(true);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
      await ch.close();
    }
  });
});
