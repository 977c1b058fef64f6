// How one migration step becomes SQL, on one server or on a cluster.
//
// A step says what a table is (columns, engine, keys, how it is sharded); the mode decides the
// DDL. Single node: exactly the tables omen always had (`CREATE TABLE IF NOT EXISTS t ...`,
// unqualified). Cluster `<c>` (the contract `./scripts/omen stack up --cluster` configures: macros
// {shard} and {replica} on every server, internal_replication on):
//   <db>.t_local ON CLUSTER <c>  Replicated<Engine>('/clickhouse/tables/{shard}/<db>.t_local', '{replica}', <args>)
//   <db>.t       ON CLUSTER <c>  Distributed(<c>, <db>, t_local, <shard key>)
// Services and analysts use `t` in both modes. The shard key keeps every row of one sorting-key
// identity on one shard (by repository for repository data), so FINAL and argMax, which only
// collapse rows within a shard, stay exact.
// Views are plain views over the logical (Distributed) tables, created on every node: there are
// no materialized views in omen's schema. One added later belongs on the `_local` table, writing
// into a local target with a Distributed table over it, so each shard aggregates its own inserts.
import { ident, quoteString, raw, sql, type SqlFragment } from '@omen/clickhouse';

/** The engines omen's tables use; each has a Replicated form. */
export type TableEngine = 'MergeTree' | 'ReplacingMergeTree';

export interface TableStep {
  kind: 'table';
  /** Logical name: what services and analysts query. */
  table: string;
  /** The column list, as written inside CREATE TABLE (...). */
  columns: SqlFragment;
  engine: TableEngine;
  /** Engine arguments after the replication ones, e.g. the version column of a ReplacingMergeTree. */
  engineArgs?: readonly string[];
  partitionBy?: string;
  orderBy: string;
  /**
   * Expression the Distributed table shards by (cluster mode). Must be a function of the sorting
   * key's leading columns so the duplicates FINAL collapses meet on one shard.
   */
  shardKey: string;
}

export interface ViewStep {
  kind: 'view';
  view: string;
  /** The SELECT; `t(name)` renders a logical table's name for the mode. */
  select: (t: (logical: string) => SqlFragment) => SqlFragment;
}

/**
 * A column added to a table created before it existed (18.16 has no ADD COLUMN IF NOT EXISTS):
 * skipped when the column is there, and a lost race with another starting runner is tolerated.
 */
export interface AddColumnStep {
  kind: 'addColumn';
  table: string;
  column: string;
  type: string;
  /** Sorting key extended in the same ALTER (18.16 can only extend it with a column added there). */
  orderBy?: string;
}

export type Step = TableStep | ViewStep | AddColumnStep;

export interface Migration {
  /** Ordered, unique, never reused. */
  version: number;
  description: string;
  steps: readonly Step[];
}

/** A statement to run; `unlessColumn` makes it conditional on the column being absent. */
export interface Statement {
  sql: SqlFragment;
  /**
   * Skip when the column is there: on the server the runner talks to, or with `onEveryNode` on
   * every server of the cluster (an ALTER ... ON CLUSTER reaches each node separately).
   */
  unlessColumn?: { table: string; column: string; onEveryNode?: boolean };
  /** Why the statement cannot run on this deployment; it fails with this if it is not skipped. */
  unavailable?: string;
}

export interface RenderTarget {
  /** Cluster name, '' for one server. */
  cluster: string;
  /** Database the tables live in (named explicitly in cluster DDL: ON CLUSTER runs it on every node). */
  database: string;
  /** Logical name → actual table name; a name not listed is its own. */
  names?: Readonly<Record<string, string>>;
  /**
   * A `remote_servers` entry that lists every server of `cluster` as a shard of its own. DDL on a
   * table that is not replicated (the Distributed ones) goes ON CLUSTER this one: 18.16 refuses an
   * ALTER ... ON CLUSTER of such a table on a cluster whose shards have replicas
   * (INCONSISTENT_CLUSTER_DEFINITION, code 371), since it runs an ALTER once per shard there.
   */
  nodesCluster?: string;
}

export const LOCAL_SUFFIX = '_local';

function actual(target: RenderTarget, logical: string): string {
  return target.names?.[logical] ?? logical;
}

function qualified(target: RenderTarget, name: string): SqlFragment {
  return target.cluster ? sql`${ident(target.database)}.${ident(name)}` : ident(name);
}

function onCluster(target: RenderTarget): SqlFragment {
  return target.cluster ? sql` ON CLUSTER ${ident(target.cluster)}` : raw('');
}

/** The ZooKeeper path of a replicated local table: one per shard, shared by its replicas. */
export function replicationPath(database: string, localTable: string): string {
  return `/clickhouse/tables/{shard}/${database}.${localTable}`;
}

function tail(step: TableStep): SqlFragment {
  const partition = step.partitionBy ? sql`\n    PARTITION BY ${raw(step.partitionBy)}` : raw('');
  return sql`${partition}\n    ORDER BY (${raw(step.orderBy)})`;
}

function renderTable(step: TableStep, target: RenderTarget): Statement[] {
  const name = actual(target, step.table);
  const args = step.engineArgs ?? [];
  if (!target.cluster) {
    const engine = args.length ? `${step.engine}(${args.join(', ')})` : step.engine;
    return [
      {
        sql: sql`CREATE TABLE IF NOT EXISTS ${ident(name)} (\n      ${step.columns}\n    ) ENGINE = ${raw(engine)}${tail(step)}`,
      },
    ];
  }
  const local = `${name}${LOCAL_SUFFIX}`;
  const replicated = [quoteString(replicationPath(target.database, local)), quoteString('{replica}'), ...args].join(
    ', ',
  );
  return [
    {
      sql: sql`CREATE TABLE IF NOT EXISTS ${qualified(target, local)}${onCluster(target)} (\n      ${step.columns}\n    ) ENGINE = ${raw(`Replicated${step.engine}(${replicated})`)}${tail(step)}`,
    },
    {
      sql: sql`CREATE TABLE IF NOT EXISTS ${qualified(target, name)}${onCluster(target)} (\n      ${step.columns}\n    ) ENGINE = Distributed(${ident(target.cluster)}, ${ident(target.database)}, ${ident(local)}, ${raw(step.shardKey)})`,
    },
  ];
}

function renderView(step: ViewStep, target: RenderTarget): Statement[] {
  const select = step.select((logical) => qualified(target, actual(target, logical)));
  return [
    {
      sql: sql`CREATE VIEW IF NOT EXISTS ${qualified(target, actual(target, step.view))}${onCluster(target)} AS\n    ${select}`,
    },
  ];
}

function renderAddColumn(step: AddColumnStep, target: RenderTarget): Statement[] {
  const name = actual(target, step.table);
  const add = sql`ADD COLUMN ${ident(step.column)} ${raw(step.type)}`;
  if (!target.cluster) {
    const alter = step.orderBy ? sql`${add}, MODIFY ORDER BY (${raw(step.orderBy)})` : add;
    return [{ sql: sql`ALTER TABLE ${ident(name)} ${alter}`, unlessColumn: { table: name, column: step.column } }];
  }
  const local = `${name}${LOCAL_SUFFIX}`;
  const localAlter = step.orderBy ? sql`${add}, MODIFY ORDER BY (${raw(step.orderBy)})` : add;
  // The replicated local table: ON CLUSTER runs it on one replica per shard, replication the rest.
  const localStatement: Statement = {
    sql: sql`ALTER TABLE ${qualified(target, local)}${onCluster(target)} ${localAlter}`,
    unlessColumn: { table: local, column: step.column, onEveryNode: true },
  };
  const distributedGuard = { table: name, column: step.column, onEveryNode: true };
  if (!target.nodesCluster) {
    return [
      localStatement,
      {
        sql: sql`ALTER TABLE ${qualified(target, name)} ${add}`,
        unlessColumn: distributedGuard,
        unavailable:
          `adding ${step.column} to the Distributed table ${target.database}.${name} needs a remote_servers entry ` +
          `that lists every server of cluster ${target.cluster} as a shard of its own (e.g. ${target.cluster}_nodes; ` +
          'see docs/cluster-ci.md): ClickHouse refuses ALTER ... ON CLUSTER of a table that is not replicated ' +
          'on a cluster whose shards have replicas',
      },
    ];
  }
  return [
    localStatement,
    {
      sql: sql`ALTER TABLE ${qualified(target, name)} ON CLUSTER ${ident(target.nodesCluster)} ${add}`,
      unlessColumn: distributedGuard,
    },
  ];
}

/** The statements of one step in the target's mode. */
export function renderStep(step: Step, target: RenderTarget): Statement[] {
  switch (step.kind) {
    case 'table':
      return renderTable(step, target);
    case 'view':
      return renderView(step, target);
    case 'addColumn':
      return renderAddColumn(step, target);
  }
}

export function renderMigration(migration: Migration, target: RenderTarget): Statement[] {
  return migration.steps.flatMap((s) => renderStep(s, target));
}

/** The logical names a migration touches (tables, views, and what its views read). */
export function logicalNames(migration: Migration): string[] {
  const names = new Set<string>();
  for (const step of migration.steps) {
    if (step.kind === 'table' || step.kind === 'addColumn') names.add(step.table);
    else {
      names.add(step.view);
      step.select((logical) => {
        names.add(logical);
        return ident(logical);
      });
    }
  }
  return [...names].sort();
}

/**
 * Where a mutation (ALTER ... DELETE/UPDATE) must go: a Distributed table takes none, so in
 * cluster mode it is the local tables on every node (replication carries it to the replicas).
 */
export function mutationTarget(target: RenderTarget, logical: string): SqlFragment {
  const name = actual(target, logical);
  if (!target.cluster) return ident(name);
  return sql`${qualified(target, `${name}${LOCAL_SUFFIX}`)}${onCluster(target)}`;
}
