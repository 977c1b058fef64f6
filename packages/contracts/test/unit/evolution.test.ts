import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import { checkCompatibility } from '@omen/schema-registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { avroSchema, previousSchemaVersions, schemaNames } from '../../src/index.ts';

type Json = Record<string, unknown>;

const backward = (current: unknown, previous: unknown) =>
  checkCompatibility(
    avro.Type.forSchema(current as avro.Schema),
    [{ version: 1, type: avro.Type.forSchema(previous as avro.Schema) }],
    'BACKWARD',
  );

describe('negative control: the BACKWARD check the evolution guard relies on catches incompatible edits', () => {
  it.each(schemaNames.map((n) => [n]))(
    '%s: a new required field is refused, the same field with a default is accepted',
    (name) => {
      const previous = avroSchema(name) as Json;
      const withField = (field: Json) => ({ ...previous, fields: [...(previous['fields'] as Json[]), field] });
      const refused = backward(withField({ name: 'added_later', type: 'string', doc: 'x' }), previous);
      expect(refused.compatible).toBe(false);
      expect(refused.messages.join()).toMatch(/added_later/);
      expect(
        backward(withField({ name: 'added_later', type: ['null', 'string'], default: null, doc: 'x' }), previous)
          .compatible,
      ).toBe(true);
    },
  );

  it('commit: narrowing a type (event_time long → int) is refused', () => {
    const previous = avroSchema('commit') as Json;
    const fields = (previous['fields'] as Json[]).map((f) => (f['name'] === 'event_time' ? { ...f, type: 'int' } : f));
    expect(backward({ ...previous, fields }, previous).compatible).toBe(false);
  });
});

describe('previousSchemaVersions', () => {
  let root: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  const write = (file: string, text: string) => writeFile(path.join(root, 'schemas', file), text);
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'omen-evolution-'));
    await mkdir(path.join(root, 'schemas'));
    git('init', '-q');
    git('config', 'user.email', 'test@omen.invalid');
    git('config', 'user.name', 'omen test');
    git('config', 'commit.gpgsign', 'false');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses the commit before the last change once the change is committed, the last commit while it is not', async () => {
    await write('x.avsc', 'v1');
    const c1 = commit('v1');
    await write('x.avsc', 'v2');
    const c2 = commit('v2');
    expect(await previousSchemaVersions({ root })).toEqual([
      { name: 'x', file: 'schemas/x.avsc', current: 'v2', previous: 'v1', baseline: `commit ${c1.slice(0, 12)}` },
    ]);
    await write('x.avsc', 'v3');
    expect(await previousSchemaVersions({ root })).toMatchObject([
      { current: 'v3', previous: 'v2', baseline: `commit ${c2.slice(0, 12)}` },
    ]);
  });

  it('uses the latest tag when there is one, and reports schemas new since it as new', async () => {
    await write('x.avsc', 'v1');
    commit('v1');
    git('tag', 'v0.1.0');
    await write('x.avsc', 'v2');
    await write('y.avsc', 'y1');
    commit('v2');
    expect(await previousSchemaVersions({ root })).toEqual([
      { name: 'x', file: 'schemas/x.avsc', current: 'v2', previous: 'v1', baseline: 'tag v0.1.0' },
      { name: 'y', file: 'schemas/y.avsc', current: 'y1', previous: null, baseline: null },
    ]);
  });

  it('uses an explicit ref, and refuses one that does not exist', async () => {
    await write('x.avsc', 'v1');
    const c1 = commit('v1');
    await write('x.avsc', 'v2');
    commit('v2');
    expect(await previousSchemaVersions({ root, ref: c1 })).toMatchObject([{ previous: 'v1', baseline: `ref ${c1}` }]);
    await expect(previousSchemaVersions({ root, ref: 'no-such-branch' })).rejects.toThrow(
      /"no-such-branch" is not a git revision/,
    );
  });

  it('treats a schema with no history as new, and refuses a directory outside git', async () => {
    await write('x.avsc', 'v1');
    expect(await previousSchemaVersions({ root })).toMatchObject([{ previous: null, baseline: null }]);
    const outside = await mkdtemp(path.join(os.tmpdir(), 'omen-nogit-'));
    try {
      await mkdir(path.join(outside, 'schemas'));
      await expect(previousSchemaVersions({ root: outside })).rejects.toThrow(/is not a git work tree/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
