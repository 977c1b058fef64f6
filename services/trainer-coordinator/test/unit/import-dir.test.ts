// Issue 11: "ImportModel{artifact_path} reads any file the trainer can read, and its two different
// errors tell a token holder whether a file exists". Only files inside the import directory are
// read, symlinks resolved; every other path gets one message.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsvRows } from '../../src/adapters/csv-source.ts';
import { checkConfinedFile, csvPathRefusal, isInside, readImportFile } from '../../src/adapters/import-dir.ts';

let root: string;
let dir: string;
let secret: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'omen-import-'));
  dir = path.join(root, 'import');
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), 'model bytes');
  await writeFile(path.join(dir, 'sub', 'nested.onnx'), 'nested');
  secret = path.join(root, 'secret.key');
  await writeFile(secret, 'outside');
  await symlink(secret, path.join(dir, 'link-out.onnx'));
  await symlink(path.join(dir, 'model.onnx'), path.join(dir, 'link-in.onnx'));
  await symlink(root, path.join(dir, 'sub', 'up'));
  await mkdir(path.join(root, 'import-sibling'));
  await writeFile(path.join(root, 'import-sibling', 'x.onnx'), 'sibling');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('issue 11: ImportModel reads any file the trainer can read', () => {
  it('reads files inside the directory, by absolute or relative path and through links that stay inside', async () => {
    expect(Buffer.from(await readImportFile(dir, path.join(dir, 'model.onnx'), 1024)).toString()).toBe('model bytes');
    expect(Buffer.from(await readImportFile(dir, 'sub/nested.onnx', 1024)).toString()).toBe('nested');
    expect(Buffer.from(await readImportFile(dir, 'link-in.onnx', 1024)).toString()).toBe('model bytes');
  });

  it('refuses everything else with one message that does not tell whether the file exists', async () => {
    const refusals = await Promise.all(
      [
        secret, // exists, outside
        path.join(root, 'missing.key'), // does not exist, outside
        'missing.onnx', // does not exist, inside
        '../secret.key', // traversal
        'link-out.onnx', // a symlink pointing out
        'sub/up/secret.key', // a directory symlink pointing out
        path.join(root, 'import-sibling', 'x.onnx'), // a prefix of the directory's name is not inside it
        'sub', // a directory
        '/etc/passwd',
        'model.onnx\0.txt',
        dir, // the directory itself
      ].map((p) =>
        readImportFile(dir, p, 1024).then(
          () => `read ${p}`,
          (e: Error) => e.message,
        ),
      ),
    );
    expect(new Set(refusals).size).toBe(1);
    expect(refusals[0]).toMatch(/inside the trainer's import directory \(TRAINER_IMPORT_DIR\)/);
    expect(refusals[0]).not.toContain(root);
  });

  it('refuses a file over the size limit', async () => {
    await expect(readImportFile(dir, 'model.onnx', 4)).rejects.toThrow(/is 11 bytes; at most 4/);
  });

  it('isInside is about path components, not string prefixes', () => {
    expect(isInside('/a/import', '/a/import/x')).toBe(true);
    expect(isInside('/a/import', '/a/import')).toBe(false);
    expect(isInside('/a/import', '/a/import-sibling/x')).toBe(false);
    expect(isInside('/a/import', '/a/x')).toBe(false);
  });
});

// Issue 11 follow-up: "StartRun row_source csv:<path> tells a token holder whether a file exists"
// — "no such file on the trainer's host" for a missing path, a parse error (or a run) for one that
// exists, anywhere on the disk. Now only TRAINER_CSV_DIR, with one refusal at StartRun and at the read.
describe('issue 11: StartRun row_source csv:<path> tells a token holder whether a file exists', () => {
  const outside = () => [
    secret, // exists, outside
    path.join(root, 'missing.csv'), // does not exist, outside
    'missing.csv', // does not exist, inside
    '../secret.key',
    'link-out.onnx',
    'sub/up/secret.key',
    path.join(root, 'import-sibling', 'x.onnx'),
    'sub',
    '/etc/passwd',
    'model.onnx\0.csv',
  ];

  it('refuses every path outside the directory, missing or not, with one message at StartRun (checkConfinedFile)', () => {
    const refusals = outside().map((p) => {
      try {
        checkConfinedFile(dir, p, csvPathRefusal);
        return `accepted ${p}`;
      } catch (err) {
        return (err as Error).message;
      }
    });
    expect(new Set(refusals).size).toBe(1);
    expect(refusals[0]).toMatch(/inside the trainer's CSV directory \(TRAINER_CSV_DIR\)/);
    expect(refusals[0]).not.toContain(root);
    expect(() => checkConfinedFile(undefined, path.join(dir, 'model.onnx'), csvPathRefusal)).toThrow(refusals[0]);
    expect(() => checkConfinedFile(dir, 'model.onnx', csvPathRefusal)).not.toThrow();
    expect(() => checkConfinedFile(dir, path.join(dir, 'sub', 'nested.onnx'), csvPathRefusal)).not.toThrow();
  });

  it('reads the same way when the run loads the rows: outside paths get the same refusal, with the field row_source', async () => {
    const refusals = await Promise.all(
      outside().map((p) =>
        loadCsvRows(dir, p, [], 0).then(
          () => `read ${p}`,
          (e: Error & { field?: string }) => `${e.field}: ${e.message}`,
        ),
      ),
    );
    expect(new Set(refusals).size).toBe(1);
    expect(refusals[0]).toBe(`row_source: ${csvPathRefusal().message}`);
  });
});
