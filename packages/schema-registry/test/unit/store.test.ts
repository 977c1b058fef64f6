import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseVersion, RegistryError, RegistryStore, stateFileName } from '../../src/index.ts';

const schema = (fields: object[]) => JSON.stringify({ type: 'record', name: 'E', namespace: 'omen.test.v1', fields });
const v1 = schema([{ name: 'a', type: 'int' }]);
const v2 = schema([
  { name: 'a', type: 'int' },
  { name: 'b', type: 'string', default: '' },
]);

async function codeOf(promiseOrFn: Promise<unknown> | (() => unknown)): Promise<number | undefined> {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (err) {
    if (err instanceof RegistryError) return err.errorCode;
    throw err;
  }
  return undefined;
}

describe('RegistryStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'omen-registry-unit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands out global ids: same schema → same id in any subject, new versions only for new schemas', async () => {
    const store = await RegistryStore.open(dir);
    const id1 = await store.register('a-value', v1);
    expect(await store.register('a-value', JSON.stringify(JSON.parse(v1), null, 2))).toBe(id1);
    expect(store.versions('a-value')).toEqual([1]);
    const id2 = await store.register('a-value', v2);
    expect(id2).not.toBe(id1);
    expect(store.versions('a-value')).toEqual([1, 2]);
    expect(await store.register('b-value', v1)).toBe(id1);
    expect(store.version('b-value', 'latest')).toEqual({ subject: 'b-value', id: id1, version: 1, schema: v1 });
    expect(store.subjects()).toEqual(['a-value', 'b-value']);
  });

  it('persists atomically and reopens with the same ids and levels', async () => {
    const store = await RegistryStore.open(dir);
    const id1 = await store.register('a-value', v1);
    const id2 = await store.register('a-value', v2);
    await store.setSubjectCompatibility('a-value', 'full');
    await store.flush();
    expect(await readdir(dir)).toEqual([stateFileName]);
    const reopened = await RegistryStore.open(dir);
    expect(reopened.version('a-value', 1).id).toBe(id1);
    expect(reopened.version('a-value', 'latest').id).toBe(id2);
    expect(reopened.subjectCompatibility('a-value')).toBe('FULL');
    const id3 = await reopened.register('c-value', schema([{ name: 'z', type: 'long' }]));
    expect(id3).toBeGreaterThan(id2);
  });

  it('refuses to open a corrupt state file rather than reissuing ids', async () => {
    await writeFile(path.join(dir, stateFileName), '{"format":1,');
    await expect(RegistryStore.open(dir)).rejects.toThrow(/registry state is not JSON/);
    await writeFile(path.join(dir, stateFileName), '{"format":7}');
    await expect(RegistryStore.open(dir)).rejects.toThrow(/not a registry state file/);
  });

  it('refuses an incompatible schema with 409 and leaves the state unchanged', async () => {
    const store = await RegistryStore.open(dir);
    await store.register('a-value', v1);
    const before = await readFile(path.join(dir, stateFileName), 'utf8');
    expect(
      await codeOf(
        store.register(
          'a-value',
          schema([
            { name: 'a', type: 'int' },
            { name: 'b', type: 'string' },
          ]),
        ),
      ),
    ).toBe(409);
    expect(store.versions('a-value')).toEqual([1]);
    expect(await readFile(path.join(dir, stateFileName), 'utf8')).toBe(before);
  });

  it('answers lookups and errors with the Confluent codes', async () => {
    const store = await RegistryStore.open(dir);
    const id = await store.register('a-value', v1);
    expect(store.lookup('a-value', v1)).toMatchObject({ id, version: 1 });
    expect(await codeOf(() => store.lookup('a-value', v2))).toBe(40403);
    expect(await codeOf(() => store.lookup('nope', v1))).toBe(40401);
    expect(await codeOf(() => store.version('a-value', 9))).toBe(40402);
    expect(await codeOf(() => store.schemaById(999))).toBe(40403);
    expect(await codeOf(store.setGlobalCompatibility('SIDEWAYS'))).toBe(42203);
  });

  it('soft-deletes a subject: gone from listings, ids still resolvable, versions continue', async () => {
    const store = await RegistryStore.open(dir);
    const id = await store.register('a-value', v1);
    expect(await store.deleteSubject('a-value', false)).toEqual([1]);
    expect(store.subjects()).toEqual([]);
    expect(store.subjects(true)).toEqual(['a-value']);
    expect(store.schemaById(id).schema).toBe(v1);
    await store.register('a-value', v2);
    expect(store.versions('a-value')).toEqual([2]);
  });

  it('tests compatibility against one version or, without a version, as the level says', async () => {
    const store = await RegistryStore.open(dir);
    await store.register('a-value', v1);
    await store.register('a-value', schema([]));
    const bringBack = schema([{ name: 'a', type: 'string', default: '' }]);
    expect(store.testCompatibility('a-value', 'latest', bringBack).compatible).toBe(true);
    expect(store.testCompatibility('a-value', 1, bringBack).compatible).toBe(false);
    await store.setSubjectCompatibility('a-value', 'BACKWARD_TRANSITIVE');
    expect(store.testCompatibility('a-value', undefined, bringBack).compatible).toBe(false);
  });
});

describe('parseVersion', () => {
  it('accepts positive integers, "latest" and -1', () => {
    expect(parseVersion('3')).toBe(3);
    expect(parseVersion('latest')).toBe('latest');
    expect(parseVersion('-1')).toBe('latest');
  });

  it.each(['0', '-2', 'abc', '1.5', '2147483648'])('refuses %s with 42202', (raw) => {
    let caught: unknown;
    try {
      parseVersion(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RegistryError);
    expect((caught as RegistryError).errorCode).toBe(42202);
  });
});
