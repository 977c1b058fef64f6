import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { clusterFromEnv, createClickHouse } from '@omen/clickhouse';
import { MIGRATIONS_TABLE, migrate, type MigrateReport } from '@omen/clickhouse-schema';
import { parseEnvFile, readStackEnv, stackPaths } from '@omen/stack';
import { UsageError, type Command } from '../command.ts';

const usage = `
usage: ./scripts/omen migrate [--dry-run] [--json] [--url URL] [--database DB] [--cluster NAME]

Applies omen's pending ClickHouse schema migrations (packages/clickhouse-schema) in version
order and records each in ${MIGRATIONS_TABLE} (version, description, checksum, scope,
applied_at). Every service also applies them when it starts; running this first only makes the
schema exist before any service does. Safe to run again, and beside starting services.

  --dry-run   list the migrations and the statements that would run, change nothing
  --json      print the report as JSON
  --url       default: CLICKHOUSE_URL, else .omen/stack.env
  --database  default: CLICKHOUSE_DATABASE, else default
  --cluster   default: CLICKHOUSE_CLUSTER, else .omen/stack.env; empty: one server. With a
              cluster every table is Replicated*MergeTree on each shard (<name>_local, ON CLUSTER)
              plus a Distributed table under the logical name, sharded by repository

Exit codes: 0 applied or up to date, 1 refused (an applied migration was edited: its checksum
differs) or ClickHouse failed, 2 usage.
`;

/** CLICKHOUSE_CLUSTER from the stack's env file (`stack up --cluster` writes it there). */
function stackCluster(): string {
  const file = stackPaths().envFile;
  return existsSync(file) ? (parseEnvFile(readFileSync(file, 'utf8'))['CLICKHOUSE_CLUSTER'] ?? '').trim() : '';
}

function describe(report: MigrateReport, dryRun: boolean): string {
  const where =
    report.mode === 'cluster'
      ? `cluster ${report.cluster}, database ${report.database}`
      : `one server, database ${report.database}`;
  const lines = [
    `${where}: ${report.migrations.filter((m) => m.status !== 'up-to-date').length} ${dryRun ? 'pending' : 'applied'}`,
  ];
  for (const m of report.migrations) {
    const scope = m.scope ? ` [${m.scope}]` : '';
    lines.push(`  ${String(m.version).padStart(4, '0')}  ${m.status.padEnd(10)}  ${m.description}${scope}`);
    if (dryRun && m.status === 'pending') for (const s of m.statements) lines.push(`${s.replace(/^/gm, '        ')};`);
  }
  return lines.join('\n');
}

async function runMigrate(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      url: { type: 'string' },
      database: { type: 'string' },
      cluster: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}`);
  const url = values.url ?? readStackEnv().CLICKHOUSE_URL;
  if (!url) throw new UsageError('no ClickHouse: pass --url, set CLICKHOUSE_URL, or run ./scripts/omen stack up');
  const cluster = values.cluster ?? (clusterFromEnv() || stackCluster());
  const database = values.database ?? (process.env['CLICKHOUSE_DATABASE'] || 'default');
  // ON CLUSTER DDL waits for every node: a longer timeout than a service's queries.
  const ch = createClickHouse({ url, database, cluster, requestTimeoutMs: 300_000 });
  try {
    const dryRun = values['dry-run'];
    const report = await migrate(ch, { dryRun });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${describe(report, dryRun)}\n`);
    return 0;
  } finally {
    await ch.close();
  }
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: "apply omen's ClickHouse schema migrations (one server, or a cluster with CLICKHOUSE_CLUSTER)",
  usage,
  async run(argv) {
    try {
      return await runMigrate(argv);
    } catch (err) {
      const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
      if (err instanceof UsageError) throw err;
      // A refused checksum or a ClickHouse error is for the reader, not a stack trace.
      process.stderr.write(`omen migrate: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  },
};
