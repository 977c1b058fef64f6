import { describe, expect, it } from 'vitest';
import { sql } from '@omen/clickhouse';
import { codeFileMetricsV1, codeMetricsV1, jitChangeMetricsV1 } from '@omen/features';
import {
  FEATURE_VIEW_SETS,
  MIGRATIONS,
  featureViewName,
  logicalNames,
  migrationChecksum,
  migrationScope,
  mutationTarget,
  renderMigration,
  renderStep,
  validateMigrations,
  type Migration,
  type TableStep,
} from '../../src/index.ts';

const table: TableStep = {
  kind: 'table',
  table: 'things',
  columns: sql`repo_id String,
      k String,
      v Int64`,
  engine: 'ReplacingMergeTree',
  engineArgs: ['v'],
  orderBy: 'repo_id, k',
  shardKey: 'cityHash64(repo_id)',
};

const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('single node', () => {
  it('is the table as omen always created it: unqualified, IF NOT EXISTS, the plain engine', () => {
    const [only, ...rest] = renderStep(table, { cluster: '', database: 'omen' });
    expect(rest).toEqual([]);
    expect(flat(only!.sql.text)).toBe(
      'CREATE TABLE IF NOT EXISTS things ( repo_id String, k String, v Int64 ) ENGINE = ReplacingMergeTree(v) ORDER BY (repo_id, k)',
    );
  });

  it('renames a table and what views read from it', () => {
    const view: Migration = {
      version: 1,
      description: 'v',
      steps: [table, { kind: 'view', view: 'things_latest', select: (t) => sql`SELECT k FROM ${t('things')} FINAL` }],
    };
    const text = renderMigration(view, { cluster: '', database: 'default', names: { things: 'things_x' } }).map((s) =>
      flat(s.sql.text),
    );
    expect(text[0]).toContain('CREATE TABLE IF NOT EXISTS things_x (');
    expect(text[1]).toBe('CREATE VIEW IF NOT EXISTS things_latest AS SELECT k FROM things_x FINAL');
  });

  it('guards an added column by its absence, the sorting key extended in the same ALTER', () => {
    const [s] = renderStep(
      { kind: 'addColumn', table: 'things', column: 'source', type: 'String', orderBy: 'repo_id, k, source' },
      { cluster: '', database: 'default' },
    );
    expect(s!.sql.text).toBe('ALTER TABLE things ADD COLUMN source String, MODIFY ORDER BY (repo_id, k, source)');
    expect(s!.unlessColumn).toEqual({ table: 'things', column: 'source' });
  });
});

describe('cluster mode', () => {
  const target = { cluster: 'omen', database: 'analytics' };

  it('is a replicated local table on every node and a Distributed table under the logical name', () => {
    const [local, distributed, ...rest] = renderStep(table, target).map((s) => flat(s.sql.text));
    expect(rest).toEqual([]);
    expect(local).toBe(
      'CREATE TABLE IF NOT EXISTS analytics.things_local ON CLUSTER omen ( repo_id String, k String, v Int64 ) ' +
        "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/analytics.things_local', '{replica}', v) ORDER BY (repo_id, k)",
    );
    expect(distributed).toBe(
      'CREATE TABLE IF NOT EXISTS analytics.things ON CLUSTER omen ( repo_id String, k String, v Int64 ) ENGINE = Distributed(omen, analytics, things_local, cityHash64(repo_id))',
    );
  });

  it('maps every engine to its Replicated form, with no arguments after the replication ones when it has none', () => {
    const [local] = renderStep({ ...table, engine: 'MergeTree', engineArgs: [], partitionBy: 'toYYYYMM(t)' }, target);
    expect(flat(local!.sql.text)).toContain(
      "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/analytics.things_local', '{replica}') PARTITION BY toYYYYMM(t) ORDER BY",
    );
  });

  it('adds a column to the local tables, and to the Distributed one on every server, each guarded on every server', () => {
    const step = {
      kind: 'addColumn',
      table: 'things',
      column: 'source',
      type: 'String',
      orderBy: 'repo_id, k, source',
    } as const;
    const statements = renderStep(step, { ...target, nodesCluster: 'omen_nodes' });
    expect(statements.map((s) => s.sql.text)).toEqual([
      'ALTER TABLE analytics.things_local ON CLUSTER omen ADD COLUMN source String, MODIFY ORDER BY (repo_id, k, source)',
      'ALTER TABLE analytics.things ON CLUSTER omen_nodes ADD COLUMN source String',
    ]);
    expect(statements.map((s) => s.unlessColumn)).toEqual([
      { table: 'things_local', column: 'source', onEveryNode: true },
      { table: 'things', column: 'source', onEveryNode: true },
    ]);
    expect(statements.every((s) => s.unavailable === undefined)).toBe(true);
    // Without an entry of single-server shards the Distributed ALTER says what the cluster lacks.
    const [, distributed] = renderStep(step, target);
    expect(distributed!.unavailable).toMatch(/remote_servers entry that lists every server of cluster omen/);
  });

  it('creates views on every node over the Distributed tables', () => {
    const [s] = renderStep(
      { kind: 'view', view: 'v', select: (t) => sql`SELECT k FROM ${t('things')} FINAL` },
      { ...target, names: { things: 'things_x' } },
    );
    expect(flat(s!.sql.text)).toBe(
      'CREATE VIEW IF NOT EXISTS analytics.v ON CLUSTER omen AS SELECT k FROM analytics.things_x FINAL',
    );
  });

  it('sends mutations to the local tables: a Distributed table takes none', () => {
    expect(mutationTarget(target, 'things').text).toBe('analytics.things_local ON CLUSTER omen');
    expect(mutationTarget({ cluster: '', database: 'analytics' }, 'things').text).toBe('things');
  });

  it('quotes a database name that is not a plain identifier', () => {
    const [local] = renderStep(table, { cluster: 'omen', database: 'my-db' });
    expect(local!.sql.text).toContain('`my-db`.things_local');
  });
});

describe("omen's migrations", () => {
  it('are ordered by version and each table has a shard key over its columns', () => {
    expect(() => validateMigrations(MIGRATIONS)).not.toThrow();
    for (const m of MIGRATIONS) {
      for (const step of m.steps) {
        if (step.kind !== 'table') continue;
        const column = /cityHash64\((\w+)\)/.exec(step.shardKey)?.[1];
        expect(column, `${step.table} shard key`).toBeDefined();
        expect(
          step.columns.text.includes(`${column} String`) || step.columns.text.includes('event_id String'),
          `${step.table} has ${column}`,
        ).toBe(true);
        // The duplicates FINAL collapses share their sorting key, so the shard key must be part of it.
        expect(
          step.orderBy
            .split(',')
            .map((c) => c.trim())
            .includes(column!) ||
            column === 'repo_id' ||
            column === 'event_id',
          `${step.table}: ${column} in the key`,
        ).toBe(true);
      }
    }
  });

  it('shard every table that has a repository by it', () => {
    for (const m of MIGRATIONS) {
      for (const step of m.steps) {
        if (step.kind === 'table' && /\brepo_id String\b/.test(step.columns.text) && step.table !== 'audit_events') {
          expect(step.shardKey, step.table).toBe('cityHash64(repo_id)');
        }
      }
    }
  });

  it('define a view for every feature set with one', () => {
    const names = new Set(MIGRATIONS.flatMap(logicalNames));
    for (const set of [jitChangeMetricsV1, codeMetricsV1, codeFileMetricsV1])
      expect(names.has(featureViewName(set))).toBe(true);
    expect(FEATURE_VIEW_SETS.map(featureViewName).every((n) => names.has(n))).toBe(true);
  });

  it('have a checksum of their definition, not of where they run', () => {
    const m = MIGRATIONS[0]!;
    expect(migrationChecksum(m)).toMatch(/^[0-9a-f]{64}$/);
    const edited: Migration = { ...m, steps: [...m.steps.slice(0, -1)] };
    expect(migrationChecksum(edited)).not.toBe(migrationChecksum(m));
    expect(migrationChecksum({ ...m, description: 'reworded' })).toBe(migrationChecksum(m));
  });

  it('are scoped by the renamed tables they touch', () => {
    const experiments = MIGRATIONS.find((m) => m.version === 4)!;
    expect(migrationScope(experiments)).toBe('');
    expect(migrationScope(experiments, { experiment_events: 'experiment_events', predictions: 'p2' })).toBe('');
    expect(migrationScope(experiments, { experiment_outcomes: 'o2', experiment_events: 'e2' })).toBe(
      'experiment_events=e2,experiment_outcomes=o2',
    );
  });

  it('refuse a version out of order and a rename of a table nobody defines', () => {
    expect(() =>
      validateMigrations([
        { version: 2, description: 'b', steps: [] },
        { version: 2, description: 'c', steps: [] },
      ]),
    ).toThrow(/increasing order/);
    expect(() => validateMigrations(MIGRATIONS, { predictionz: 'x' })).toThrow(/predictionz/);
  });

  it('render in both modes', () => {
    for (const m of MIGRATIONS) {
      const single = renderMigration(m, { cluster: '', database: 'default' });
      const cluster = renderMigration(m, { nodesCluster: 'omen_nodes', cluster: 'omen', database: 'default' });
      expect(single.every((s) => !s.sql.text.includes('ON CLUSTER') && !s.sql.text.includes('Replicated'))).toBe(true);
      expect(cluster.every((s) => s.sql.text.includes('ON CLUSTER omen'))).toBe(true);
      expect(cluster.length).toBeGreaterThan(single.length - 1);
    }
  });
});
