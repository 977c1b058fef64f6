import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { stackEnv } from '@omen/testing';
import { createClickHouse, ident, sql, type ClickHouse } from '../../src/index.ts';

// Attempts to break out of a string literal, taken from the classic SQL-injection playbook plus
// ClickHouse's own escapes (backslash sequences, \x hex escapes, NUL).
const ATTACKS = [
  "'; DROP TABLE victim; --",
  "\\'; DROP TABLE victim; --",
  "x' OR 1=1 --",
  'x\\',
  "x\\\\' OR '1'='1",
  '\\x27; DROP TABLE victim; --',
  'null\0byte',
  'multi\nline\r\n\ttab',
  '`backtick` "double"',
  'unicode ☃ é 𝄞',
  "' UNION SELECT name, 0 FROM system.tables --",
];

describe('escaping against a real ClickHouse', () => {
  let ch: ClickHouse;
  const table = `inj_${randomBytes(4).toString('hex')}`;
  const victim = `${table}_victim`;

  beforeAll(async () => {
    ch = createClickHouse({ url: stackEnv().CLICKHOUSE_URL });
    await ch.command(sql`CREATE TABLE ${ident(table)} (k UInt32, s String) ENGINE = MergeTree ORDER BY k`);
    await ch.command(sql`CREATE TABLE ${ident(victim)} (x UInt8) ENGINE = Memory`);
  });

  afterAll(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(victim)}`);
    await ch.close();
  });

  it('stores and finds every attack string verbatim through the escaping path', async () => {
    for (const [k, s] of ATTACKS.entries()) {
      await ch.command(sql`INSERT INTO ${ident(table)} (k, s) VALUES (${k}, ${s})`);
    }
    const rows = await ch.query<{ k: number; s: string }>(sql`SELECT k, s FROM ${ident(table)} ORDER BY k`);
    expect(rows.map((r) => r.s)).toEqual(ATTACKS);

    for (const [k, s] of ATTACKS.entries()) {
      const hits = await ch.query<{ k: number }>(sql`SELECT k FROM ${ident(table)} WHERE s = ${s}`);
      expect(hits.map((h) => Number(h.k))).toEqual([k]);
    }
    const victims = await ch.query<{ name: string }>(
      sql`SELECT name FROM system.tables WHERE database = currentDatabase() AND name = ${victim}`,
    );
    expect(victims).toHaveLength(1);
  });

  it('quotes a hostile identifier instead of executing it', async () => {
    const hostile = `${table}\`; DROP TABLE ${victim}; --`;
    await expect(ch.query(sql`SELECT * FROM ${ident(hostile)}`)).rejects.toThrow(
      /doesn't exist|UNKNOWN_TABLE|Unknown table/i,
    );
    const victims = await ch.query(sql`SELECT name FROM system.tables WHERE name = ${victim}`);
    expect(victims).toHaveLength(1);
  });
});
