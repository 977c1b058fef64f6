import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArtifactIntegrityError,
  LocalModelRegistry,
  compareVersions,
  sha256Hex,
  type AliasEvent,
  type ModelVersionRecord,
} from '../../src/index.ts';

const FS = { name: 'jit_change_metrics', version: 1 };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

let dir: string;
let registry: LocalModelRegistry;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omen-registry-'));
  registry = new LocalModelRegistry(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalModelRegistry', () => {
  it('registers content-addressed versions with lineage and resolves them by version and alias', async () => {
    const { record, created } = await registry.register({
      name: 'jit-defect',
      bytes: bytes('model one'),
      featureSet: FS,
      featureNames: ['la', 'ld'],
      metrics: { auc: 0.75 },
      lineage: {
        source: 'trained',
        runId: 'r1',
        codeVersion: 'abc123',
        algorithm: 'gbdt',
        params: { numTrees: 10 },
        rows: { train: 100, test: 20 },
      },
    });
    expect(created).toBe(true);
    expect(record).toMatchObject({
      name: 'jit-defect',
      version: 'v1',
      sha256: sha256Hex(bytes('model one')),
      format: 'onnx',
      size: 9,
    });
    // The layout inference's first reader expects.
    expect(await readFile(path.join(dir, 'blobs', 'sha256', record.sha256), 'utf8')).toBe('model one');
    const onDisk = JSON.parse(
      await readFile(path.join(dir, 'models', 'jit-defect', 'versions', 'v1.json'), 'utf8'),
    ) as ModelVersionRecord;
    expect(onDisk.lineage?.codeVersion).toBe('abc123');

    const second = await registry.register({ name: 'jit-defect', bytes: bytes('model two'), featureSet: FS });
    expect(second.record.version).toBe('v2');
    await registry.setAlias('jit-defect', 'champion', 'v2');
    const resolved = await registry.resolve('jit-defect', { alias: 'champion' });
    expect(new TextDecoder().decode(resolved.bytes)).toBe('model two');
    expect((await registry.resolve('jit-defect', { version: 'v1' })).metrics).toEqual({ auc: 0.75 });
    expect(await registry.models()).toEqual(['jit-defect']);
  });

  it("reads a record written in the first reader's format (no lineage fields)", async () => {
    const b = bytes('legacy');
    const sha = sha256Hex(b);
    await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(path.join(dir, 'blobs', 'sha256', sha), b);
    await mkdir(path.join(dir, 'models', 'old', 'versions'), { recursive: true });
    await writeFile(
      path.join(dir, 'models', 'old', 'versions', '7.json'),
      JSON.stringify({ name: 'old', version: '7', sha256: sha, featureSet: FS }),
    );
    await writeFile(path.join(dir, 'models', 'old', 'aliases.json'), JSON.stringify({ champion: '7' }));
    const a = await registry.resolve('old', { alias: 'champion' });
    expect(a.version).toBe('7');
    expect(new TextDecoder().decode(a.bytes)).toBe('legacy');
  });

  it('refuses an artifact whose bytes no longer match the recorded sha256', async () => {
    const { record } = await registry.register({ name: 'm', bytes: bytes('good'), featureSet: FS });
    await writeFile(path.join(dir, 'blobs', 'sha256', record.sha256), 'evil');
    const err = await registry.resolve('m', { version: record.version }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactIntegrityError);
    expect(err).toMatchObject({ code: 'DATA_LOSS', expected: record.sha256, actual: sha256Hex(bytes('evil')) });
    // Registering the good bytes again repairs the blob.
    await registry.register({ name: 'm', version: record.version, bytes: bytes('good'), featureSet: FS });
    expect(new TextDecoder().decode((await registry.resolve('m', { version: record.version })).bytes)).toBe('good');
  });

  it('register is idempotent for the same bytes, refuses other bytes under a taken version and a wrong declared sha256', async () => {
    const first = await registry.register({ name: 'm', version: 'x1', bytes: bytes('a'), featureSet: FS });
    const again = await registry.register({ name: 'm', version: 'x1', bytes: bytes('a'), featureSet: FS });
    expect(again).toEqual({ record: first.record, created: false });
    await expect(
      registry.register({ name: 'm', version: 'x1', bytes: bytes('b'), featureSet: FS }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(
      registry.register({ name: 'm', bytes: bytes('c'), featureSet: FS, expectedSha256: sha256Hex(bytes('d')) }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'sha256' });
    await expect(registry.register({ name: '../etc', bytes: bytes('c'), featureSet: FS })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('numbers versions v1…v11 and orders v10 after v9', async () => {
    for (let i = 0; i < 11; i++) await registry.register({ name: 'm', bytes: bytes(`m${i}`), featureSet: FS });
    expect(await registry.versions('m')).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
    expect((await registry.listVersions('m')).map((r) => r.version).at(-1)).toBe('v11');
    expect(compareVersions('v10', 'v9')).toBeGreaterThan(0);
  });

  it('setAlias is idempotent, records history, and names what is missing', async () => {
    await registry.register({ name: 'm', bytes: bytes('1'), featureSet: FS });
    await registry.register({ name: 'm', bytes: bytes('2'), featureSet: FS });
    const a = await registry.setAlias('m', 'champion', 'v1', { action: 'promote', reason: 'first', actor: 'test' });
    expect(a).toMatchObject({ changed: true, previousVersion: null, version: 'v1' });
    const b = await registry.setAlias('m', 'champion', 'v1', { action: 'promote' });
    expect(b).toMatchObject({ changed: false, version: 'v1' });
    await registry.setAlias('m', 'champion', 'v2', { action: 'promote' });
    await registry.setAlias('m', 'champion', 'v1', { action: 'rollback' });
    const history = await registry.aliasHistory('m', 'champion');
    expect(history.map((e) => [e.action, e.previousVersion, e.version])).toEqual([
      ['promote', null, 'v1'],
      ['promote', 'v1', 'v2'],
      ['rollback', 'v2', 'v1'],
    ]);
    expect(history[0]).toMatchObject({ reason: 'first', actor: 'test' });
    await expect(registry.setAlias('m', 'champion', 'v9')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('v1, v2'),
    });
    await expect(registry.resolve('m', { alias: 'challenger' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('aliases: champion'),
    });
    await expect(registry.resolve('nope', { alias: 'champion' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('unknown model "nope"'),
    });
    expect(await registry.setAlias('m', 'champion', null)).toMatchObject({
      changed: true,
      version: null,
      previousVersion: 'v1',
    });
    expect(await registry.aliases('m')).toEqual({});
  });

  it('serialises concurrent alias changes: the history is one unbroken chain', async () => {
    for (let i = 0; i < 5; i++) await registry.register({ name: 'm', bytes: bytes(`c${i}`), featureSet: FS });
    const targets = Array.from({ length: 30 }, (_, i) => `v${(i % 5) + 1}`);
    await Promise.all(targets.map((v) => registry.setAlias('m', 'champion', v)));
    const history = await registry.aliasHistory('m', 'champion');
    for (let i = 1; i < history.length; i++) expect(history[i]!.previousVersion).toBe(history[i - 1]!.version);
    expect((await registry.aliases('m'))['champion']).toBe(history.at(-1)!.version);
    expect(new Set(history.map((e) => e.id)).size).toBe(history.length);
  });

  it('tells listeners after each durable change and keeps going when one fails', async () => {
    const seen: string[] = [];
    const failures: string[] = [];
    const r = new LocalModelRegistry(dir, {
      listeners: [
        { onVersion: () => Promise.reject(new Error('mirror down')) },
        {
          onVersion: (rec) => void seen.push(`version ${rec.version}`),
          onAliasEvent: (e: AliasEvent) => void seen.push(`alias ${e.alias}=${e.version}`),
        },
      ],
      onListenerError: (err, what) => failures.push(`${what}: ${(err as Error).message}`),
    });
    await r.register({ name: 'm', bytes: bytes('z'), featureSet: FS });
    await r.setAlias('m', 'challenger', 'v1');
    await r.setAlias('m', 'challenger', 'v1');
    expect(seen).toEqual(['version v1', 'alias challenger=v1']);
    expect(failures).toEqual(['version: mirror down']);
  });
});
