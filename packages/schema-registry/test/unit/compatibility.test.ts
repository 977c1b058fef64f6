import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { checkCompatibility, readProblem, type CompatibilityLevel } from '../../src/index.ts';

type Field = { name: string; type: unknown; default?: unknown };
const record = (fields: Field[], name = 'Event', namespace = 'omen.test.v1'): avro.Type =>
  avro.Type.forSchema({ type: 'record', name, namespace, fields } as avro.Schema);

const v1 = record([
  { name: 'id', type: 'string' },
  { name: 'count', type: 'int' },
]);

function check(candidate: avro.Type, existing: avro.Type[], level: CompatibilityLevel = 'BACKWARD') {
  return checkCompatibility(
    candidate,
    existing.map((type, i) => ({ version: i + 1, type })),
    level,
  );
}

describe('BACKWARD (the new schema reads data written with the latest one)', () => {
  it('accepts an added field with a default', () => {
    const v2 = record([
      ...[
        { name: 'id', type: 'string' },
        { name: 'count', type: 'int' },
      ],
      { name: 'note', type: ['null', 'string'], default: null },
    ]);
    expect(check(v2, [v1])).toEqual({ compatible: true, messages: [] });
  });

  it('refuses an added field without a default, naming the field and the version', () => {
    const v2 = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'int' },
      { name: 'note', type: 'string' },
    ]);
    const result = check(v2, [v1]);
    expect(result.compatible).toBe(false);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatch(/BACKWARD.*version 1.*note/);
  });

  it('accepts a removed field', () => {
    expect(check(record([{ name: 'id', type: 'string' }]), [v1]).compatible).toBe(true);
  });

  it('accepts int → long (promotion) and refuses long → int', () => {
    const wide = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'long' },
    ]);
    expect(check(wide, [v1]).compatible).toBe(true);
    expect(check(v1, [wide]).compatible).toBe(false);
  });

  it('refuses a type change that is no promotion (int → string)', () => {
    expect(
      check(
        record([
          { name: 'id', type: 'string' },
          { name: 'count', type: 'string' },
        ]),
        [v1],
      ).compatible,
    ).toBe(false);
  });

  it('accepts making a field nullable but refuses making a nullable field required', () => {
    const nullable = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: ['null', 'int'], default: null },
    ]);
    expect(check(nullable, [v1]).compatible).toBe(true);
    expect(check(v1, [nullable]).compatible).toBe(false);
  });

  it('accepts an added enum symbol; refuses a removed one unless the reader has an enum default', () => {
    const withEnum = (symbols: string[], dflt?: string) =>
      record([{ name: 'kind', type: { type: 'enum', name: 'Kind', symbols, ...(dflt ? { default: dflt } : {}) } }]);
    expect(check(withEnum(['a', 'b', 'c']), [withEnum(['a', 'b'])]).compatible).toBe(true);
    expect(check(withEnum(['a']), [withEnum(['a', 'b'])]).compatible).toBe(false);
    expect(check(withEnum(['a', 'other'], 'other'), [withEnum(['a', 'b'])]).compatible).toBe(true);
  });

  it('refuses a renamed record (names must match or be aliased)', () => {
    expect(
      check(
        record(
          [
            { name: 'id', type: 'string' },
            { name: 'count', type: 'int' },
          ],
          'Other',
        ),
        [v1],
      ).compatible,
    ).toBe(false);
  });

  it('checks only the latest version; BACKWARD_TRANSITIVE checks every version', () => {
    const v2 = record([{ name: 'id', type: 'string' }]);
    // v3 brings "count" back with another type: fine against v2, unreadable against v1's int.
    const v3 = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'string', default: '' },
    ]);
    expect(check(v3, [v1, v2], 'BACKWARD').compatible).toBe(true);
    const transitive = check(v3, [v1, v2], 'BACKWARD_TRANSITIVE');
    expect(transitive.compatible).toBe(false);
    expect(transitive.messages.join()).toMatch(/version 1/);
  });
});

describe('FORWARD and FULL', () => {
  it('FORWARD refuses removing a field the old reader needs, and accepts adding one', () => {
    const removed = record([{ name: 'id', type: 'string' }]);
    expect(check(removed, [v1], 'FORWARD').compatible).toBe(false);
    const added = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'int' },
      { name: 'x', type: 'int' },
    ]);
    expect(check(added, [v1], 'FORWARD').compatible).toBe(true);
  });

  it('FULL needs both directions: an added field with a default passes, without one fails', () => {
    const withDefault = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'int' },
      { name: 'x', type: 'int', default: 0 },
    ]);
    const without = record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'int' },
      { name: 'x', type: 'int' },
    ]);
    expect(check(withDefault, [v1], 'FULL').compatible).toBe(true);
    expect(check(without, [v1], 'FULL').compatible).toBe(false);
  });

  it('NONE accepts anything, and any level accepts a first version', () => {
    expect(check(avro.Type.forSchema('string'), [v1], 'NONE').compatible).toBe(true);
    expect(check(avro.Type.forSchema('string'), [], 'FULL_TRANSITIVE').compatible).toBe(true);
  });
});

describe('readProblem', () => {
  it('returns null when the reader can read the writer, and the reason otherwise', () => {
    expect(readProblem(avro.Type.forSchema('long'), avro.Type.forSchema('int'))).toBeNull();
    expect(readProblem(avro.Type.forSchema('int'), avro.Type.forSchema('long'))).toMatch(/long/);
  });
});
