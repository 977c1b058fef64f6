import { mkdtemp, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContracts, generateAvroTypeScript, type AvroSource } from '../../src/index.ts';
import { generatedRoot } from '../../src/paths.ts';

const src = (name: string, schema: unknown): AvroSource => ({ name, path: `schemas/${name}.avsc`, schema });

const status = { type: 'enum', name: 'Status', doc: 'A status.', symbols: ['on', 'off'], default: 'off' };
const a = src('a', {
  type: 'record',
  name: 'A',
  namespace: 'omen.t.v1',
  doc: 'Record A.',
  fields: [
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When.' },
    { name: 'maybe', type: ['null', 'string'], default: null, doc: 'Optional text.' },
    { name: 'status', type: status },
    { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
    { name: 'scores', type: { type: 'map', values: 'double' }, default: {} },
    { name: 'blob', type: 'bytes' },
    { name: 'flag', type: 'boolean' },
  ],
});

describe('generateAvroTypeScript', () => {
  it('emits interfaces whose field types follow avsc (nullable unions, enums, maps, logical types)', () => {
    const out = generateAvroTypeScript([a]).get('a.ts') ?? '';
    expect(out).toContain("export type Status = 'on' | 'off';");
    expect(out).toContain('export interface A {');
    expect(out).toMatch(
      /When\.\n\s+\*\n\s+\* Avro timestamp-millis: epoch milliseconds, UTC\.\n\s+\*\/\n\s+at: number;/,
    );
    expect(out).toMatch(/@default null\n\s+\*\/\n\s+maybe: null \| string;/);
    expect(out).toContain('  status: Status;');
    expect(out).toContain('  tags: Array<null | string>;');
    expect(out).toContain('  scores: Record<string, number>;');
    expect(out).toContain('  blob: Buffer;');
    expect(out).toContain('  flag: boolean;');
    // Declarations come before their use.
    expect(out.indexOf('export type Status')).toBeLessThan(out.indexOf('export interface A'));
  });

  it('defines a named type shared by two schemas once and imports it in the other', () => {
    const b = src('b', { type: 'record', name: 'B', namespace: 'omen.t.v1', fields: [{ name: 's', type: status }] });
    const out = generateAvroTypeScript([a, b]);
    expect(out.get('b.ts')).toContain("import type { Status } from './a.ts';");
    expect(out.get('b.ts')).not.toContain('export type Status');
    expect(out.get('index.ts')).toContain("  | 'b';");
    expect(out.get('index.ts')).toMatch(/\/\*\* omen\.t\.v1\.B \*\/\n\s+b: B;/);
  });

  it('refuses one name with two definitions', () => {
    const b = src('b', {
      type: 'record',
      name: 'B',
      namespace: 'omen.t.v1',
      fields: [{ name: 's', type: { ...status, symbols: ['on', 'off', 'broken'] } }],
    });
    expect(() => generateAvroTypeScript([a, b])).toThrow(
      /schemas\/b\.avsc: omen\.t\.v1\.Status .* differs from its definition in a\.ts/,
    );
  });

  it('refuses two full names that would be one TypeScript name', () => {
    const b = src('b', {
      type: 'record',
      name: 'B',
      namespace: 'omen.other.v1',
      fields: [{ name: 's', type: { ...status } }],
    });
    expect(() => generateAvroTypeScript([a, b])).toThrow(
      /omen\.other\.v1\.Status and omen\.t\.v1\.Status would both be TypeScript type Status/,
    );
  });

  it('refuses unions avsc would decode wrapped, naming the field', () => {
    const c = src('c', { type: 'record', name: 'C', fields: [{ name: 'x', type: ['int', 'long'] }] });
    expect(() => generateAvroTypeScript([c])).toThrow(/union at C\.x .* wrapped/);
  });

  it('refuses a top-level type that is not a record, and an invalid schema, naming the file', () => {
    expect(() => generateAvroTypeScript([src('d', 'string')])).toThrow(
      /schemas\/d\.avsc: the top-level type must be a named record/,
    );
    expect(() =>
      generateAvroTypeScript([src('e', { type: 'record', name: 'E', fields: [{ name: 'x', type: 'integer' }] })]),
    ).toThrow(/schemas\/e\.avsc: not a valid Avro schema/);
  });
});

describe('checkContracts', () => {
  it('reports stale, missing and extra files in a generated tree', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omen-contracts-gen-'));
    try {
      await cp(generatedRoot, dir, { recursive: true });
      expect(await checkContracts(dir)).toEqual([]);
      await writeFile(path.join(dir, 'avro/commit.ts'), '// edited by hand\n');
      await rm(path.join(dir, 'avro/label.ts'));
      await mkdir(path.join(dir, 'avro/old'), { recursive: true });
      await writeFile(path.join(dir, 'avro/old/x.ts'), '');
      expect(await checkContracts(dir)).toEqual([
        { file: 'avro/commit.ts', problem: 'stale' },
        { file: 'avro/label.ts', problem: 'missing' },
        { file: 'avro/old/x.ts', problem: 'extra' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
