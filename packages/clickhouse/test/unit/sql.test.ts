import { describe, expect, it } from 'vitest';
import { ident, joinSql, literal, quoteString, raw, sql } from '../../src/index.ts';

describe('quoteString', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['trailing\\', "'trailing\\\\'"],
    ['line\nbreak\ttab\rret', "'line\\nbreak\\ttab\\rret'"],
    ['nul\0byte', "'nul\\0byte'"],
  ])('escapes %j', (input, expected) => {
    expect(quoteString(input)).toBe(expected);
  });

  it('leaves no unescaped quote that could end the literal', () => {
    const evil = "x' OR 1=1; DROP TABLE t; --\\'";
    const quoted = quoteString(evil);
    const body = quoted.slice(1, -1);
    // Every quote inside the body is preceded by an odd run of backslashes.
    for (let i = body.indexOf("'"); i !== -1; i = body.indexOf("'", i + 1)) {
      let run = 0;
      for (let j = i - 1; j >= 0 && body[j] === '\\'; j--) run++;
      expect(run % 2).toBe(1);
    }
  });
});

describe('literal', () => {
  it('renders scalars, arrays, dates and NULL', () => {
    expect(literal(42)).toBe('42');
    expect(literal(-1.5)).toBe('-1.5');
    expect(literal(12345678901234567890n)).toBe('12345678901234567890');
    expect(literal(true)).toBe('1');
    expect(literal(null)).toBe('NULL');
    expect(literal(['a', "b'"])).toBe("['a', 'b\\'']");
    expect(literal(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe("toDateTime('2024-01-02 03:04:05', 'UTC')");
  });

  it('refuses values that have no safe literal', () => {
    expect(() => literal(Number.NaN)).toThrow(/non-finite/);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(/non-finite/);
    expect(() => literal(new Date('nope'))).toThrow(/invalid Date/);
    expect(() => literal({} as never)).toThrow(/cannot enter SQL/);
  });
});

describe('ident', () => {
  it('passes plain names and quotes the rest', () => {
    expect(ident('commit_features').text).toBe('commit_features');
    expect(ident('weird name').text).toBe('`weird name`');
    expect(ident('a`; DROP TABLE x; --').text).toBe('`a\\`; DROP TABLE x; --`');
    expect(() => ident('')).toThrow(/empty/);
  });
});

describe('sql tag', () => {
  it('escapes every interpolated value and keeps fragments as they are', () => {
    const where = joinSql([sql`repo = ${"o'hare"}`, sql`n > ${3}`], ' AND ');
    const statement = sql`SELECT * FROM ${ident('t')} WHERE ${where} ORDER BY ts ${raw('DESC')}`;
    expect(statement.text).toBe("SELECT * FROM t WHERE repo = 'o\\'hare' AND n > 3 ORDER BY ts DESC");
  });
});
