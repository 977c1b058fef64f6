import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { ident, type SqlFragment } from './sql.ts';

export interface ClickHouseOptions {
  /** Server URL, e.g. `http://127.0.0.1:18123` (CLICKHOUSE_URL). */
  url: string;
  /** @default 'default' */
  database?: string;
  /** @default 'default' */
  username?: string;
  /** @default '' */
  password?: string;
  /** @default 30_000 */
  requestTimeoutMs?: number;
  /**
   * The ClickHouse cluster (`remote_servers`) the schema is spread over; empty for one server.
   * In cluster mode every logical table is a Distributed table over replicated local tables
   * (@omen/clickhouse-schema), so the session settings below make its inserts and joins correct.
   * @default process.env.CLICKHOUSE_CLUSTER ?? ''
   */
  cluster?: string;
}

/**
 * Session settings for a cluster. `insert_distributed_sync`: an INSERT into a Distributed table
 * is acknowledged only once every shard it touches has it (without it, 18.16 queues the rows on
 * the receiving node's disk and answers at once, so a node lost before sending loses them).
 * `distributed_product_mode = global`: a JOIN/IN subquery over another Distributed table is
 * computed once and shipped to the shards, which is correct whatever the keys (the default,
 * `deny`, refuses such queries). `load_balancing = in_order`: inserts and reads go to the first
 * live replica of each shard, so a read sees what was just acknowledged (replication to the
 * other replica is asynchronous; with `random` a read right after a write can miss it); when that
 * replica is down both move to the next one.
 */
export const CLUSTER_SETTINGS = {
  insert_distributed_sync: 1,
  distributed_product_mode: 'global',
  load_balancing: 'in_order',
} as const;

/** The cluster named by CLICKHOUSE_CLUSTER, or '' (one server). */
export function clusterFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env['CLICKHOUSE_CLUSTER'] ?? '').trim();
}

/**
 * The ClickHouse surface omen code uses. Statements are `SqlFragment`s built with the `sql` tag,
 * so no call site can pass a concatenated string by accident.
 */
export interface ClickHouse {
  /** The database unqualified names resolve in. */
  readonly database: string;
  /** The cluster the schema is spread over, '' for one server. */
  readonly cluster: string;
  query<T>(statement: SqlFragment): Promise<T[]>;
  command(statement: SqlFragment): Promise<void>;
  /** Inserts rows as JSONEachRow: values travel in the body, never through SQL text. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function createClickHouse(options: ClickHouseOptions): ClickHouse {
  const database = options.database ?? 'default';
  const cluster = (options.cluster ?? clusterFromEnv()).trim();
  const client: ClickHouseClient = createClient({
    url: options.url,
    database,
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? 30_000,
    ...(cluster ? { clickhouse_settings: { ...CLUSTER_SETTINGS } } : {}),
  });
  return {
    database,
    cluster,
    async query<T>(statement: SqlFragment): Promise<T[]> {
      const result = await client.query({ query: statement.text, format: 'JSONEachRow' });
      return result.json<T>();
    },
    async command(statement: SqlFragment): Promise<void> {
      await client.command({ query: statement.text });
    },
    async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
      if (rows.length === 0) return;
      await client.insert({ table: ident(table).text, values: [...rows], format: 'JSONEachRow' });
    },
    async ping(): Promise<boolean> {
      const result = await client.ping();
      return result.success;
    },
    close: () => client.close(),
  };
}
