// Applies pending migrations and records each in `schema_migrations`.
//
// Every service runs this at start and `omen migrate` runs it by hand, so several runners may
// meet on one ClickHouse. That is safe without a lock (ClickHouse has none to offer): every
// statement is IF NOT EXISTS or guarded by a column check, a statement that loses a race is
// retried (18.16 answers a CREATE of a table another session is creating with an error rather
// than waiting), and the record table is a ReplacingMergeTree keyed by (scope, version), so two
// runners recording one migration leave one row.
//
// A migration is recorded per scope: the table names it was applied under when a deployment or a
// test renamed some (ABROUTER_EVENTS_TABLE=...), '' for the defaults. The checksum is over the
// migration's canonical SQL (single node, default names), so it identifies the definition, not
// where it ran; a recorded checksum that differs from the code's means someone edited an applied
// migration, and nothing runs until that is undone.
import { createHash } from 'node:crypto';
import { formatDateTime, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { FailedPreconditionError, InvalidArgumentError } from '@omen/errors';
import {
  LOCAL_SUFFIX,
  logicalNames,
  renderMigration,
  renderStep,
  type Migration,
  type RenderTarget,
  type Statement,
  type TableStep,
} from './ddl.ts';
import { MIGRATIONS } from './migrations.ts';

export const MIGRATIONS_TABLE = 'schema_migrations';

const migrationsTableStep: TableStep = {
  kind: 'table',
  table: MIGRATIONS_TABLE,
  columns: sql`version UInt32,
      description String,
      checksum String,
      scope String,
      applied_at DateTime('UTC'),
      applied_at_ms Int64`,
  engine: 'ReplacingMergeTree',
  engineArgs: ['applied_at_ms'],
  orderBy: 'scope, version',
  shardKey: 'cityHash64(scope)',
};

export class MigrationChecksumError extends FailedPreconditionError {
  constructor(
    readonly version: number,
    readonly recorded: readonly string[],
    readonly current: string,
  ) {
    super(
      `migration ${version} was applied with checksum ${recorded.join(', ')} but the code's is ${current}: ` +
        'an applied migration was edited; restore it and put the change in a new migration',
    );
  }
}

export interface MigrateOptions {
  /** Logical table name → the name this deployment uses (only the renamed ones). */
  names?: Readonly<Record<string, string>>;
  /** Report what would run; write nothing. @default false */
  dryRun?: boolean;
  /** @default MIGRATIONS */
  migrations?: readonly Migration[];
  /** @default 'schema_migrations' */
  recordTable?: string;
  /** Attempts per statement before giving up (races with other runners). @default 5 */
  attempts?: number;
}

export type MigrationStatus = 'applied' | 'pending' | 'up-to-date' | 'reapplied';

export interface MigrationOutcome {
  version: number;
  description: string;
  checksum: string;
  scope: string;
  /**
   * `applied` by this run, `pending` (dry run), `up-to-date` (recorded before), `reapplied`
   * (recorded before, but a table or view of it had been dropped: its statements, all idempotent,
   * ran again; a dry run reports such a migration as `pending`).
   */
  status: MigrationStatus;
  statements: string[];
}

export interface MigrateReport {
  mode: 'single' | 'cluster';
  cluster: string;
  database: string;
  migrations: MigrationOutcome[];
}

const CANONICAL: RenderTarget = { cluster: '', database: 'default' };

function statementText(s: Statement): string {
  return s.unlessColumn
    ? `${s.sql.text}\n-- unless ${s.unlessColumn.table}.${s.unlessColumn.column} exists`
    : s.sql.text;
}

/** The migration's identity: SHA-256 of its canonical SQL (single node, default names). */
export function migrationChecksum(migration: Migration): string {
  const text = renderMigration(migration, CANONICAL).map(statementText).join(';\n');
  return createHash('sha256').update(text).digest('hex');
}

/** `logical=actual` for every renamed name the migration touches, sorted; '' when none is. */
export function migrationScope(migration: Migration, names: Readonly<Record<string, string>> = {}): string {
  return logicalNames(migration)
    .filter((n) => names[n] !== undefined && names[n] !== n)
    .map((n) => `${n}=${names[n]}`)
    .join(',');
}

/** Refuses a list that is not strictly ordered by version, or renames nobody uses. */
export function validateMigrations(
  migrations: readonly Migration[],
  names: Readonly<Record<string, string>> = {},
): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new InvalidArgumentError(
        `migration versions must be positive integers in increasing order; ${m.version} follows ${previous}`,
        'version',
      );
    }
    previous = m.version;
  }
  const known = new Set(migrations.flatMap(logicalNames));
  for (const logical of Object.keys(names)) {
    if (!known.has(logical))
      throw new InvalidArgumentError(`no migration defines a table or view named ${logical}`, 'names');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function columnExists(ch: ClickHouse, table: string, column: string): Promise<boolean> {
  const rows = await ch.query<{ n: number | string }>(
    sql`SELECT count() AS n FROM system.columns WHERE database = ${ch.database} AND table = ${table} AND name = ${column}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/** The servers of a cluster, as remote() addresses (host:tcp port), and its nodes cluster if it has one. */
export interface ClusterLayout {
  nodes: string[];
  /** A remote_servers entry with exactly these servers, one shard each (see RenderTarget.nodesCluster). */
  nodesCluster?: string;
}

/** Reads the cluster's servers and finds an entry that lists each of them as a shard of its own. */
export async function clusterLayout(ch: ClickHouse): Promise<ClusterLayout> {
  const rows = await ch.query<{ cluster: string; address: string; replica_num: number | string }>(
    sql`SELECT cluster, concat(host_address, ':', toString(port)) AS address, replica_num FROM system.clusters`,
  );
  const byCluster = new Map<string, { addresses: string[]; replicated: boolean }>();
  for (const r of rows) {
    const entry = byCluster.get(r.cluster) ?? { addresses: [], replicated: false };
    entry.addresses.push(r.address);
    if (Number(r.replica_num) > 1) entry.replicated = true;
    byCluster.set(r.cluster, entry);
  }
  const nodes = [...new Set(byCluster.get(ch.cluster)?.addresses ?? [])].sort();
  const key = nodes.join(',');
  const nodesCluster = [...byCluster.entries()]
    .filter(([name, e]) => name !== ch.cluster && !e.replicated && e.addresses.length === nodes.length)
    .find(([, e]) => [...e.addresses].sort().join(',') === key)?.[0];
  return nodesCluster === undefined ? { nodes } : { nodes, nodesCluster };
}

/** On how many of the servers the column exists (read from the server the runner talks to). */
async function nodesWithColumn(
  ch: ClickHouse,
  nodes: readonly string[],
  table: string,
  column: string,
): Promise<number> {
  let present = 0;
  for (const node of nodes) {
    const rows = await ch.query<{ n: number | string }>(
      sql`SELECT count() AS n FROM remote(${node}, system, columns) WHERE database = ${ch.database} AND table = ${table} AND name = ${column}`,
    );
    if (Number(rows[0]?.n ?? 0) > 0) present++;
  }
  return present;
}

async function alreadyDone(ch: ClickHouse, statement: Statement, nodes: readonly string[]): Promise<boolean> {
  const guard = statement.unlessColumn;
  if (!guard) return false;
  if (!guard.onEveryNode || nodes.length === 0) return columnExists(ch, guard.table, guard.column);
  const present = await nodesWithColumn(ch, nodes, guard.table, guard.column);
  if (present === nodes.length) return true;
  if (present === 0) return false;
  // ON CLUSTER DDL waits in ZooKeeper's queue for a server that was down and runs when it is back;
  // running it again now would fail on the servers that have the column.
  throw new FailedPreconditionError(
    `${ch.database}.${guard.table}.${guard.column} exists on ${present} of ${nodes.length} servers: ` +
      'an earlier ON CLUSTER ALTER has not reached every server yet (a server down or behind in the DDL queue); ' +
      'run the migration again when all servers are up',
  );
}

async function execute(
  ch: ClickHouse,
  statement: Statement,
  attempts: number,
  nodes: readonly string[] = [],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await alreadyDone(ch, statement, nodes)) return;
    if (statement.unavailable) throw new FailedPreconditionError(statement.unavailable);
    try {
      await ch.command(statement.sql);
      return;
    } catch (err) {
      // Another runner may have made the same change meanwhile; the guard or IF NOT EXISTS
      // sees it on the next attempt. A statement that is simply wrong fails every attempt.
      if (attempt >= attempts) throw err;
      await sleep(100 * attempt + Math.floor(Math.random() * 100));
    }
  }
}

async function existingTables(ch: ClickHouse): Promise<Map<string, string>> {
  const rows = await ch.query<{ name: string; engine: string }>(
    sql`SELECT name, engine FROM system.tables WHERE database = ${ch.database}`,
  );
  return new Map(rows.map((r) => [r.name, r.engine]));
}

/**
 * Cluster mode over a table a single server made (same name, not Distributed): IF NOT EXISTS would
 * skip it and leave writes on one node, so the run stops and says what to do instead.
 */
function refuseSingleNodeTables(
  migrations: readonly Migration[],
  target: RenderTarget,
  existing: Map<string, string>,
): void {
  if (!target.cluster) return;
  for (const m of migrations) {
    for (const step of m.steps) {
      if (step.kind !== 'table') continue;
      const name = target.names?.[step.table] ?? step.table;
      const engine = existing.get(name);
      if (engine !== undefined && engine !== 'Distributed') {
        throw new FailedPreconditionError(
          `table ${target.database}.${name} exists as ${engine}, not as the Distributed table cluster mode needs: a single-server table ` +
            `is not converted in place; rename it, run the migrations, and copy its rows with INSERT INTO ${name} SELECT * FROM <renamed>`,
        );
      }
    }
  }
}

/** Every table and view a migration makes, as named in the target (local tables included). */
function objectNames(migration: Migration, target: RenderTarget): string[] {
  const names: string[] = [];
  for (const step of migration.steps) {
    const logical = step.kind === 'view' ? step.view : step.kind === 'table' ? step.table : undefined;
    if (logical === undefined) continue;
    const name = target.names?.[logical] ?? logical;
    names.push(name);
    if (step.kind === 'table' && target.cluster) names.push(`${name}${LOCAL_SUFFIX}`);
  }
  return names;
}

async function recordTableExists(ch: ClickHouse, table: string): Promise<boolean> {
  const rows = await ch.query<{ n: number | string }>(
    sql`SELECT count() AS n FROM system.tables WHERE database = ${ch.database} AND name = ${table}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

async function recorded(ch: ClickHouse, table: string): Promise<Map<string, string[]>> {
  // GROUP BY rather than FINAL: correct before the background merge and on a Distributed table.
  const rows = await ch.query<{ version: number | string; scope: string; checksums: string[] }>(
    sql`SELECT version, scope, groupUniqArray(checksum) AS checksums FROM ${ident(table)} GROUP BY version, scope`,
  );
  return new Map(rows.map((r) => [`${Number(r.version)}|${r.scope}`, r.checksums]));
}

/**
 * Applies every pending migration in version order, or with `dryRun` only reports them. Throws
 * MigrationChecksumError before running anything when an applied migration was edited.
 */
export async function migrate(ch: ClickHouse, options: MigrateOptions = {}): Promise<MigrateReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  const names = options.names ?? {};
  const recordTable = options.recordTable ?? MIGRATIONS_TABLE;
  const attempts = options.attempts ?? 5;
  validateMigrations(migrations, names);
  const layout: ClusterLayout = ch.cluster ? await clusterLayout(ch) : { nodes: [] };
  const target: RenderTarget = {
    cluster: ch.cluster,
    database: ch.database,
    names,
    ...(layout.nodesCluster ? { nodesCluster: layout.nodesCluster } : {}),
  };

  const recordTarget: RenderTarget = {
    cluster: ch.cluster,
    database: ch.database,
    names: { [MIGRATIONS_TABLE]: recordTable },
  };
  // A database made on one node only (a test's, an operator's CREATE DATABASE) must exist on every
  // node before ON CLUSTER DDL can create tables in it there.
  if (ch.cluster && !options.dryRun)
    await execute(
      ch,
      { sql: sql`CREATE DATABASE IF NOT EXISTS ${ident(ch.database)} ON CLUSTER ${ident(ch.cluster)}` },
      attempts,
    );
  const haveRecords = options.dryRun ? await recordTableExists(ch, recordTable) : true;
  if (!options.dryRun) for (const s of renderStep(migrationsTableStep, recordTarget)) await execute(ch, s, attempts);
  const applied = haveRecords ? await recorded(ch, recordTable) : new Map<string, string[]>();

  const plan = migrations.map((m) => {
    const checksum = migrationChecksum(m);
    const scope = migrationScope(m, names);
    const seen = applied.get(`${m.version}|${scope}`);
    if (seen && seen.some((c) => c !== checksum)) throw new MigrationChecksumError(m.version, seen, checksum);
    return { migration: m, checksum, scope, done: seen !== undefined };
  });

  // A recorded migration whose table someone dropped runs again (every statement is idempotent),
  // so a service start restores what a start always restored before migrations existed.
  const existing = await existingTables(ch);
  refuseSingleNodeTables(migrations, target, existing);
  const complete = (m: Migration): boolean => objectNames(m, target).every((n) => existing.has(n));

  const outcomes: MigrationOutcome[] = [];
  for (const { migration, checksum, scope, done } of plan) {
    const statements = renderMigration(migration, target);
    const intact = done && complete(migration);
    const status: MigrationStatus = intact ? 'up-to-date' : options.dryRun ? 'pending' : done ? 'reapplied' : 'applied';
    outcomes.push({
      version: migration.version,
      description: migration.description,
      checksum,
      scope,
      status,
      statements: statements.map(statementText),
    });
    if (intact || options.dryRun) continue;
    for (const s of statements) await execute(ch, s, attempts, layout.nodes);
    if (done) continue;
    const now = Date.now();
    await ch.insert(recordTable, [
      {
        version: migration.version,
        description: migration.description,
        checksum,
        scope,
        applied_at: formatDateTime(new Date(now)),
        applied_at_ms: now,
      },
    ]);
  }
  return { mode: ch.cluster ? 'cluster' : 'single', cluster: ch.cluster, database: ch.database, migrations: outcomes };
}

/** Where a service's mutations and DDL go for this client (see mutationTarget). */
export function renderTarget(ch: ClickHouse, names: Readonly<Record<string, string>> = {}): RenderTarget {
  return { cluster: ch.cluster, database: ch.database, names };
}
