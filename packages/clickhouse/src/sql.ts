/**
 * The one way values enter SQL in omen.
 *
 * ClickHouse 18.16 (Debian's) has no query parameters, so values are inlined as literals. Every
 * literal is produced here: strings are quoted with every byte that ClickHouse's lexer treats
 * specially escaped, numbers must be finite, identifiers are checked or backtick-quoted. Code
 * builds statements with the `sql` tag, never with string concatenation.
 */

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A fragment of SQL that is already safe: produced by `sql`, `ident`, or `raw` (constants only). */
export class SqlFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Quotes a string as a ClickHouse string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\0\b\f\n\r\t]/g, (c) => ESCAPES[c] ?? c)}'`;
}

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A table, column or database name: plain names pass as they are, others are backtick-quoted. */
export function ident(name: string): SqlFragment {
  if (name.length === 0) throw new TypeError('SQL identifier must not be empty');
  if (PLAIN_IDENTIFIER.test(name)) return new SqlFragment(name);
  return new SqlFragment(`\`${name.replace(/[\\`\0\b\f\n\r\t]/g, (c) => (c === '`' ? '\\`' : (ESCAPES[c] ?? c)))}\``);
}

/** A SQL constant written in code (never data): keywords, a sort direction chosen from a list. */
export function raw(text: string): SqlFragment {
  return new SqlFragment(text);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ClickHouse 18.16 has no DateTime64: times travel as UTC 'YYYY-MM-DD hh:mm:ss' (seconds). */
export function formatDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('invalid Date cannot enter SQL');
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** What every Kafka event carries (schemas/README.md): an idempotency id, an event time, a repository. */
export interface EventIdentity {
  event_id: string;
  /** Epoch milliseconds. */
  event_time: number;
  repo_id: string;
}

/**
 * The columns every event table starts with, in this order: the event's identity, its time as a
 * DateTime (seconds, for humans and partitions) plus event_time_ms (no DateTime64 on 18.16).
 */
export const EVENT_COLUMNS = new SqlFragment(`event_id String,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      repo_id String`);

/** The EVENT_COLUMNS values of one event's row. */
export function eventColumns(e: EventIdentity): {
  event_id: string;
  event_time: string;
  event_time_ms: number;
  repo_id: string;
} {
  return {
    event_id: e.event_id,
    event_time: formatDateTime(new Date(e.event_time)),
    event_time_ms: e.event_time,
    repo_id: e.repo_id,
  };
}

export type SqlValue = string | number | bigint | boolean | Date | null | undefined | SqlFragment | readonly SqlValue[];

/** Renders one value as a literal. */
export function literal(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof SqlFragment) return value.text;
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`non-finite number ${value} cannot enter SQL`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return `toDateTime(${quoteString(formatDateTime(value))}, 'UTC')`;
  if (Array.isArray(value)) return `[${(value as readonly SqlValue[]).map((v) => literal(v)).join(', ')}]`;
  throw new TypeError(`value of type ${typeof value} cannot enter SQL`);
}

/**
 * Tagged template: every interpolated value becomes an escaped literal (or an `ident`/`raw`
 * fragment as it is). `sql\`SELECT * FROM ${ident(t)} WHERE sha = ${sha}\``.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlValue[]): SqlFragment {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += literal(value) + (strings[i + 1] ?? '');
  });
  return new SqlFragment(text);
}

/** Joins fragments (e.g. a list of conditions) with a constant separator. */
export function joinSql(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return new SqlFragment(parts.map((p) => p.text).join(separator));
}
