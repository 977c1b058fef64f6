import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { stackEnv } from '@omen/testing';
import {
  MIGRATIONS,
  MIGRATIONS_TABLE,
  MigrationChecksumError,
  logicalNames,
  migrate,
  type Migration,
} from '../../src/index.ts';

// Each test gets a database of its own on the stack's ClickHouse (one server: CLICKHOUSE_CLUSTER
// unset), so "apply twice" and "concurrent runners" start from nothing.
const url = stackEnv().CLICKHOUSE_URL;
let admin: ClickHouse;
const databases: string[] = [];

async function freshDatabase(): Promise<ClickHouse> {
  const database = `mig_${randomBytes(4).toString('hex')}`;
  await admin.command(sql`CREATE DATABASE ${ident(database)}`);
  databases.push(database);
  return createClickHouse({ url, database, cluster: '' });
}

async function tablesOf(ch: ClickHouse): Promise<Map<string, string>> {
  const rows = await ch.query<{ name: string; create_table_query: string }>(
    sql`SELECT name, create_table_query FROM system.tables WHERE database = ${ch.database} ORDER BY name`,
  );
  return new Map(rows.map((r) => [r.name, r.create_table_query]));
}

async function records(ch: ClickHouse): Promise<{ version: number; scope: string; n: number }[]> {
  const rows = await ch.query<{ version: number | string; scope: string; n: number | string }>(
    sql`SELECT version, scope, count() AS n FROM ${ident(MIGRATIONS_TABLE)} FINAL GROUP BY version, scope ORDER BY version, scope`,
  );
  return rows.map((r) => ({ version: Number(r.version), scope: r.scope, n: Number(r.n) }));
}

beforeAll(() => {
  admin = createClickHouse({ url, cluster: '' });
});

afterAll(async () => {
  for (const d of databases) await admin.command(sql`DROP DATABASE IF EXISTS ${ident(d)}`);
  await admin.close();
});

describe('migrate on one server', () => {
  it('creates every table and view, records each migration, and a second run changes nothing', async () => {
    const ch = await freshDatabase();
    try {
      const first = await migrate(ch);
      expect(first.mode).toBe('single');
      expect(first.migrations.map((m) => m.status)).toEqual(MIGRATIONS.map(() => 'applied'));
      const after = await tablesOf(ch);
      for (const name of MIGRATIONS.flatMap(logicalNames)) expect(after.has(name), name).toBe(true);
      expect([...after.keys()].some((n) => n.endsWith('_local'))).toBe(false);
      expect(after.get('predictions')).toContain(
        'ENGINE = ReplacingMergeTree(event_time_ms) ORDER BY (model_name, model_version, repo_id, entity_type, entity_id, source)',
      );

      const second = await migrate(ch);
      expect(second.migrations.map((m) => m.status)).toEqual(MIGRATIONS.map(() => 'up-to-date'));
      expect(await tablesOf(ch)).toEqual(after);
      expect(await records(ch)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, scope: '', n: 1 })));
    } finally {
      await ch.close();
    }
  });

  it('runs a recorded migration again when one of its tables was dropped', async () => {
    const ch = await freshDatabase();
    try {
      await migrate(ch);
      await ch.command(sql`DROP TABLE predictions`);
      const report = await migrate(ch);
      expect(report.migrations.map((m) => m.status)).toEqual(
        MIGRATIONS.map((m) => (m.version === 5 ? 'reapplied' : 'up-to-date')),
      );
      expect((await tablesOf(ch)).has('predictions')).toBe(true);
      expect(await records(ch)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, scope: '', n: 1 })));
    } finally {
      await ch.close();
    }
  });

  it('with --dry-run lists the pending migrations and creates nothing', async () => {
    const ch = await freshDatabase();
    try {
      const report = await migrate(ch, { dryRun: true });
      expect(report.migrations.every((m) => m.status === 'pending' && m.statements.length > 0)).toBe(true);
      expect((await tablesOf(ch)).size).toBe(0);
    } finally {
      await ch.close();
    }
  });

  it('applies a renamed table under its own scope', async () => {
    const ch = await freshDatabase();
    try {
      await migrate(ch);
      const report = await migrate(ch, { names: { predictions: 'predictions_canary' } });
      const applied = report.migrations.filter((m) => m.status === 'applied');
      expect(applied.map((m) => [m.version, m.scope])).toEqual([[5, 'predictions=predictions_canary']]);
      expect((await tablesOf(ch)).has('predictions_canary')).toBe(true);
    } finally {
      await ch.close();
    }
  });

  it('refuses to run when an applied migration was edited, and runs nothing', async () => {
    const ch = await freshDatabase();
    const v1: Migration = {
      version: 1,
      description: 'one table',
      steps: [
        {
          kind: 'table',
          table: 'a',
          columns: sql`repo_id String, x Int64`,
          engine: 'ReplacingMergeTree',
          orderBy: 'repo_id',
          shardKey: 'cityHash64(repo_id)',
        },
      ],
    };
    const v2: Migration = {
      version: 2,
      description: 'another',
      steps: [
        {
          kind: 'table',
          table: 'b',
          columns: sql`repo_id String`,
          engine: 'MergeTree',
          orderBy: 'repo_id',
          shardKey: 'cityHash64(repo_id)',
        },
      ],
    };
    try {
      await migrate(ch, { migrations: [v1] });
      const edited: Migration = {
        ...v1,
        steps: [{ ...v1.steps[0]!, columns: sql`repo_id String, x Int64, y Int64` } as Migration['steps'][number]],
      };
      const refused = await migrate(ch, { migrations: [edited, v2] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MigrationChecksumError);
      expect((refused as MigrationChecksumError).version).toBe(1);
      expect((await tablesOf(ch)).has('b')).toBe(false);
      // Undoing the edit lets the next migration through.
      const report = await migrate(ch, { migrations: [v1, v2] });
      expect(report.migrations.map((m) => m.status)).toEqual(['up-to-date', 'applied']);
    } finally {
      await ch.close();
    }
  });

  it('is safe with several runners at once (services starting together)', async () => {
    const ch = await freshDatabase();
    const runners = Array.from({ length: 4 }, () => createClickHouse({ url, database: ch.database, cluster: '' }));
    try {
      const reports = await Promise.all(runners.map((r) => migrate(r)));
      expect(reports).toHaveLength(4);
      const tables = await tablesOf(ch);
      for (const name of MIGRATIONS.flatMap(logicalNames)) expect(tables.has(name), name).toBe(true);
      // However many runners recorded a migration, FINAL shows it once.
      expect(await records(ch)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, scope: '', n: 1 })));
      expect((await migrate(ch)).migrations.every((m) => m.status === 'up-to-date')).toBe(true);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
      await ch.close();
    }
  });

  it('upgrades a table created before a column existed', async () => {
    const ch = await freshDatabase();
    try {
      await ch.command(sql`CREATE TABLE experiment_events (event_id String, event_time DateTime('UTC'), event_time_ms Int64, repo_id String,
        experiment_id String, type String, arm Nullable(String), unit_id Nullable(String), model_name Nullable(String), model_version Nullable(String),
        metric Nullable(String), value Nullable(Float64), reason Nullable(String), config_json Nullable(String)) ENGINE = ReplacingMergeTree ORDER BY (experiment_id, event_id)`);
      await migrate(ch);
      const columns = await ch.query<{ name: string }>(
        sql`SELECT name FROM system.columns WHERE database = ${ch.database} AND table = 'experiment_events' AND name = 'entity_id'`,
      );
      expect(columns).toHaveLength(1);
    } finally {
      await ch.close();
    }
  });
});
