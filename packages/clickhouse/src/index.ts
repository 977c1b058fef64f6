export {
  SqlFragment,
  quoteString,
  ident,
  raw,
  literal,
  sql,
  joinSql,
  formatDateTime,
  EVENT_COLUMNS,
  eventColumns,
} from './sql.ts';
export type { EventIdentity } from './sql.ts';
export type { SqlValue } from './sql.ts';
export { CLUSTER_SETTINGS, clusterFromEnv, createClickHouse } from './client.ts';
export type { ClickHouse, ClickHouseOptions } from './client.ts';
