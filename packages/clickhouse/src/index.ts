export { SqlFragment, quoteString, ident, raw, literal, sql, joinSql, formatDateTime } from './sql.ts';
export type { SqlValue } from './sql.ts';
export { createClickHouse } from './client.ts';
export type { ClickHouse, ClickHouseOptions } from './client.ts';
