// CachedModelSource over a scripted inner ModelSource and a real temp directory: what a
// successful answer leaves on disk, what a transient failure is answered with, what definitive
// errors and damaged files do, and how far the cache grows.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadlineExceededError, InvalidArgumentError, NotFoundError, UnavailableError } from '@omen/errors';
import type { ModelArtifact, ModelSelector, ModelSource } from '@omen/model-registry';
import { CachedModelSource } from '../../src/adapters/cached-model-source.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function artifact(name: string, version: string): ModelArtifact {
  const bytes = new Uint8Array(randomBytes(2048));
  return {
    name,
    version,
    sha256: sha(bytes),
    size: bytes.length,
    featureSet: { name: 'jit_change_metrics', version: 1 },
    labels: { run: version },
    bytes,
  };
}

/** A registry in memory whose next calls can be made to fail. */
class ScriptedSource implements ModelSource {
  versions = new Map<string, ModelArtifact>();
  aliasMap: Record<string, Record<string, string>> = {};
  failWith: Error | undefined;
  add(a: ModelArtifact, alias?: string): void {
    this.versions.set(`${a.name}/${a.version}`, a);
    if (alias) this.aliasMap[a.name] = { ...this.aliasMap[a.name], [alias]: a.version };
  }
  async resolve(name: string, selector: ModelSelector): Promise<ModelArtifact> {
    await Promise.resolve(); // answers on a later tick, as a remote source would
    if (this.failWith) throw this.failWith;
    const version = 'version' in selector ? selector.version : this.aliasMap[name]?.[selector.alias];
    const found = version === undefined ? undefined : this.versions.get(`${name}/${version}`);
    if (!found) throw new NotFoundError(`no ${name} ${JSON.stringify(selector)}`);
    return { ...found, bytes: new Uint8Array(found.bytes) };
  }
  async aliases(name: string): Promise<Record<string, string>> {
    await Promise.resolve();
    if (this.failWith) throw this.failWith;
    return { ...this.aliasMap[name] };
  }
  async models(): Promise<string[]> {
    await Promise.resolve();
    if (this.failWith) throw this.failWith;
    return [...new Set([...this.versions.values()].map((v) => v.name))].sort();
  }
}

let dir: string;
let inner: ScriptedSource;
let warnings: Array<[Record<string, unknown>, string]>;
const logger = { warn: (obj: Record<string, unknown>, msg: string) => warnings.push([obj, msg]) } as never;
const down = () => new UnavailableError('the trainer-coordinator at 127.0.0.1:1 is unavailable');

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omen-model-cache-'));
  inner = new ScriptedSource();
  warnings = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('CachedModelSource', () => {
  it('passes the inner answers through while it is up, and answers from disk (a fresh instance) once it is unavailable', async () => {
    const v1 = artifact('jit', 'v1');
    inner.add(v1, 'champion');
    const first = new CachedModelSource(inner, { dir, logger });
    const got = await first.resolve('jit', { alias: 'champion' });
    expect(got.sha256).toBe(v1.sha256);
    expect(await first.aliases('jit')).toEqual({ champion: 'v1' });
    expect(await first.models()).toEqual(['jit']);
    expect(warnings).toEqual([]);

    inner.failWith = down();
    const second = new CachedModelSource(inner, { dir, logger });
    for (const selector of [{ alias: 'champion' }, { version: 'v1' }]) {
      const { bytes, ...record } = await second.resolve('jit', selector);
      const { bytes: expected, ...expectedRecord } = v1;
      expect(record).toEqual(expectedRecord);
      expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
    }
    expect(await second.aliases('jit')).toEqual({ champion: 'v1' });
    expect(await second.models()).toEqual(['jit']);
    expect(warnings.map(([, msg]) => msg)).toContain('model source unavailable; serving the cached version');
    expect(warnings.find(([, msg]) => msg.includes('cached version'))?.[0]).toMatchObject({
      model: 'jit',
      version: 'v1',
      sha256: v1.sha256,
    });
  });

  it('treats any transient error (a deadline too) as unavailable, and rethrows it when the cache has nothing', async () => {
    const cache = new CachedModelSource(inner, { dir, logger });
    const unavailable = down();
    inner.failWith = unavailable;
    await expect(cache.resolve('jit', { alias: 'champion' })).rejects.toBe(unavailable);
    await expect(cache.aliases('jit')).rejects.toBe(unavailable);
    await expect(cache.models()).rejects.toBe(unavailable);

    inner.failWith = undefined;
    inner.add(artifact('jit', 'v1'), 'champion');
    await cache.resolve('jit', { alias: 'champion' });
    inner.failWith = new DeadlineExceededError('GetArtifact took too long');
    expect((await cache.resolve('jit', { alias: 'champion' })).version).toBe('v1');
    // A version or alias it never saw is still the inner error.
    await expect(cache.resolve('jit', { version: 'v2' })).rejects.toBe(inner.failWith);
    await expect(cache.resolve('jit', { alias: 'challenger' })).rejects.toBe(inner.failWith);
  });

  it('never masks NOT_FOUND or another definitive error with a cached copy', async () => {
    inner.add(artifact('jit', 'v1'), 'champion');
    const cache = new CachedModelSource(inner, { dir, logger });
    await cache.resolve('jit', { alias: 'champion' });
    await cache.aliases('jit');
    // The registry forgot the version: NOT_FOUND from it is the truth, not the cache.
    inner.versions.clear();
    await expect(cache.resolve('jit', { version: 'v1' })).rejects.toBeInstanceOf(NotFoundError);
    const invalid = new InvalidArgumentError('bad name');
    inner.failWith = invalid;
    await expect(cache.resolve('jit', { alias: 'champion' })).rejects.toBe(invalid);
    await expect(cache.aliases('jit')).rejects.toBe(invalid);
    await expect(cache.models()).rejects.toBe(invalid);
  });

  it('deletes a cached artifact that no longer hashes to its sha256 instead of serving it', async () => {
    const v1 = artifact('jit', 'v1');
    inner.add(v1, 'champion');
    const cache = new CachedModelSource(inner, { dir, logger });
    await cache.resolve('jit', { alias: 'champion' });
    const blob = path.join(dir, 'blobs', v1.sha256);
    const damaged = Buffer.from(v1.bytes);
    damaged[100] = damaged[100]! ^ 0x01;
    await writeFile(blob, damaged);

    const unavailable = down();
    inner.failWith = unavailable;
    await expect(cache.resolve('jit', { alias: 'champion' })).rejects.toBe(unavailable);
    expect(await readdir(path.join(dir, 'blobs'))).toEqual([]);
    expect(warnings.find(([, msg]) => msg.includes('damaged'))?.[0]).toMatchObject({
      model: 'jit',
      version: 'v1',
      expected: v1.sha256,
      actual: sha(damaged),
    });

    // Once the source is back the artifact is cached again.
    inner.failWith = undefined;
    await cache.resolve('jit', { alias: 'champion' });
    expect(await readdir(path.join(dir, 'blobs'))).toEqual([v1.sha256]);
  });

  it('keeps the versions the aliases point at plus the most recent N, and deletes the rest with their blobs', async () => {
    const cache = new CachedModelSource(inner, { dir, logger, keepRecent: 2 });
    const all: ModelArtifact[] = [];
    for (let i = 1; i <= 6; i++) {
      const a = artifact('jit', `v${i}`);
      all.push(a);
      inner.add(a, i === 1 ? 'champion' : undefined);
      await cache.resolve('jit', i === 1 ? { alias: 'champion' } : { version: `v${i}` });
      // cachedAt is milliseconds; a tick apart keeps the order unambiguous.
      await new Promise((r) => setTimeout(r, 2));
    }
    const versions = async () =>
      (await readdir(path.join(dir, 'models', 'jit', 'versions'))).map((f) => f.replace(/\.json$/, '')).sort();
    expect(await versions()).toEqual(['v1', 'v5', 'v6']);
    expect((await readdir(path.join(dir, 'blobs'))).sort()).toEqual(
      [all[0]!, all[4]!, all[5]!].map((a) => a.sha256).sort(),
    );

    // Moving the alias unpins v1; it is then one of the two most recent unpinned (v5, v1) until v7 comes.
    inner.aliasMap['jit'] = { champion: 'v6' };
    await cache.aliases('jit');
    expect(await versions()).toEqual(['v1', 'v5', 'v6']);
    const v7 = artifact('jit', 'v7');
    inner.add(v7);
    await cache.resolve('jit', { version: 'v7' });
    expect(await versions()).toEqual(['v5', 'v6', 'v7']);
    expect((await readdir(path.join(dir, 'blobs'))).sort()).toEqual([all[4]!, all[5]!, v7].map((a) => a.sha256).sort());

    inner.failWith = down();
    await expect(cache.resolve('jit', { version: 'v2' })).rejects.toBeInstanceOf(UnavailableError);
    expect((await cache.resolve('jit', { alias: 'champion' })).version).toBe('v6');
  });

  it('keeps model names and versions inside the directory', async () => {
    inner.add(artifact('../../escape', '../v1'), 'champion');
    const cache = new CachedModelSource(inner, { dir, logger });
    await cache.resolve('../../escape', { alias: 'champion' });
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['blobs', 'models']));
    expect(await readdir(path.join(dir, 'models'))).toHaveLength(1);
    inner.failWith = down();
    expect((await cache.resolve('../../escape', { version: '../v1' })).version).toBe('../v1');
  });
});
