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
}

/**
 * The ClickHouse surface omen code uses. Statements are `SqlFragment`s built with the `sql` tag,
 * so no call site can pass a concatenated string by accident.
 */
export interface ClickHouse {
  query<T>(statement: SqlFragment): Promise<T[]>;
  command(statement: SqlFragment): Promise<void>;
  /** Inserts rows as JSONEachRow: values travel in the body, never through SQL text. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function createClickHouse(options: ClickHouseOptions): ClickHouse {
  const client: ClickHouseClient = createClient({
    url: options.url,
    database: options.database ?? 'default',
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? 30_000,
  });
  return {
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
