import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where a backfill got to: every commit before `position` (in source order) is acknowledged. */
export interface Checkpoint {
  version: 1;
  source: 'git' | 'jsonl';
  path: string;
  repo: string;
  position: number;
  /** Sha of the commit at position - 1, to notice a source that changed under the checkpoint. */
  lastSha: string | null;
  published: number;
  duplicates: number;
  rejected: number;
  updatedAt: string;
}

/** The default checkpoint file of one (source, path, repository) under `dir`. */
export function checkpointPath(dir: string, source: 'git' | 'jsonl', path: string, repo: string): string {
  const id = createHash('sha256')
    .update(`${source}\0${resolve(path)}\0${repo}`)
    .digest('hex')
    .slice(0, 16);
  return join(dir, `${source}-${id}.json`);
}

/** The checkpoint in `file` if it is for this backfill; undefined when absent or for another one. */
export function readCheckpoint(
  file: string,
  expect: { source: 'git' | 'jsonl'; path: string; repo: string },
): Checkpoint | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const c = JSON.parse(raw) as Checkpoint;
    if (c.version !== 1 || c.source !== expect.source || c.path !== resolve(expect.path) || c.repo !== expect.repo)
      return undefined;
    if (!Number.isSafeInteger(c.position) || c.position < 0) return undefined;
    return c;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename): a crash mid-write leaves the previous checkpoint. */
export function writeCheckpoint(file: string, checkpoint: Omit<Checkpoint, 'version' | 'updatedAt'>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify({ version: 1, ...checkpoint, path: resolve(checkpoint.path), updatedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  renameSync(tmp, file);
}
