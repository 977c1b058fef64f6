// Reads ../shared/data/express-commits.jsonl.gz (the full history of expressjs/express, numstat
// only) into the domain's commit shape, the way ingest's backfill maps it: times in seconds
// become epoch ms, an old_path marks a rename, every other status is unknown.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { CommitInput } from '../../src/domain/commit.ts';

export const EXPRESS_REPO = 'github:expressjs/express';

interface RawFile {
  path: string;
  old_path: string | null;
  added: number;
  deleted: number;
  binary: boolean;
}
interface RawCommit {
  sha: string;
  parents: string[];
  author_id: string;
  committer_id: string;
  author_time: number;
  commit_time: number;
  message: string;
  files: RawFile[];
}

/** The shared data directory: OMEN_DATA_DIR, else ../shared/data beside the repository. */
export function dataDir(): string {
  const fromEnv = process.env['OMEN_DATA_DIR'];
  if (fromEnv) return fromEnv;
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data');
}

export function expressPath(): string {
  const p = resolve(dataDir(), 'express-commits.jsonl.gz');
  if (!existsSync(p))
    throw new Error(
      `express data not found at ${p}; set OMEN_DATA_DIR to the directory holding express-commits.jsonl.gz`,
    );
  return p;
}

export function toCommitInput(raw: RawCommit, repoId = EXPRESS_REPO): CommitInput {
  return {
    repo_id: repoId,
    sha: raw.sha,
    parents: raw.parents,
    author_id: raw.author_id,
    commit_time: raw.commit_time * 1000,
    message: raw.message,
    files: raw.files.map((f) => ({
      path: f.path,
      old_path: f.old_path,
      status: f.old_path !== null && f.old_path !== f.path ? 'renamed' : 'unknown',
      lines_added: f.added,
      lines_deleted: f.deleted,
      binary: f.binary,
      hunks: null,
    })),
  };
}

export function readExpressRaw(): RawCommit[] {
  return gunzipSync(readFileSync(expressPath()))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RawCommit);
}

export function readExpressCommits(repoId = EXPRESS_REPO): CommitInput[] {
  return readExpressRaw().map((r) => toCommitInput(r, repoId));
}

/** The scm.commits.v1 event ingest's backfill makes of one export line (schemas/commit.avsc). */
export function toCommitEvent(raw: RawCommit, repoId = EXPRESS_REPO): Record<string, unknown> & CommitInput {
  const c = toCommitInput(raw, repoId);
  return {
    ...c,
    message: raw.message.replace(/[\r\n]+$/, ''),
    event_id: `${repoId}:${raw.sha}`,
    event_time: c.commit_time,
    repo_name: repoId.replace(/^[a-z]+:/, ''),
    provider: 'github',
    committer_id: raw.committer_id,
    author_time: raw.author_time * 1000,
    branch: null,
    source: 'backfill',
  };
}
