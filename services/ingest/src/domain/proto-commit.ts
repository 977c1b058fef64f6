import { isFullSha } from '@omen/ids';
import type { CommitEvent, DiffLine, FileChange, FileStatus, Hunk, IngestSource } from './events.ts';
import { commitEventId, pseudonym } from './ids.ts';
import { repoRefFromName } from './normalize.ts';
import { normaliseMessage } from './validation.ts';

// The gRPC `omen.ingest.v1.Commit` as proto-loader hands it over (enums as names, int64 as
// decimal strings, absent scalars as zero values), validated before it becomes an event.

const providers = {
  SCM_PROVIDER_UNSPECIFIED: undefined,
  SCM_PROVIDER_GITHUB: 'github',
  SCM_PROVIDER_GITLAB: 'gitlab',
  SCM_PROVIDER_GIT: 'git',
  SCM_PROVIDER_OTHER: 'other',
} as const;

const statuses: Record<string, FileStatus> = {
  FILE_STATUS_UNSPECIFIED: 'unknown',
  FILE_STATUS_ADDED: 'added',
  FILE_STATUS_MODIFIED: 'modified',
  FILE_STATUS_DELETED: 'deleted',
  FILE_STATUS_RENAMED: 'renamed',
  FILE_STATUS_COPIED: 'copied',
};

const INT32_MAX = 2_147_483_647;
/** Most parents a commit may name: git's octopus merges stay far below (the largest known, 66). */
export const MAX_PARENTS = 1024;

/**
 * A refusal on the way: thrown by the readers below and caught once in commitFromProto. The
 * first problem ends the walk — a hostile commit of 100,000 bad entries (the fuzz's case within
 * the 4 MiB gRPC limit) is refused at its first entry. A zod schema, used here before, reports
 * every issue of a value and cannot stop at the first: that commit kept the event loop busy for
 * seconds (~10 s at load 26 on 2 cores) and made a dependency probe time out.
 */
class Refusal extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const refuse = (path: string, reason: string): never => {
  throw new Refusal(`commit.${path}`, `commit.${path}: ${reason}`);
};

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** A string field; absent reads as `fallback` (proto3 zero value), `required` refuses an empty one. */
function str(
  v: unknown,
  path: string,
  { required = false, fallback = '' }: { required?: string | false; fallback?: string } = {},
): string {
  if (v === undefined || v === null) {
    if (required) refuse(path, required);
    return fallback;
  }
  if (typeof v !== 'string') return refuse(path, `expected string, received ${typeName(v)}`);
  if (required && v.length === 0) refuse(path, required);
  return v;
}

function int32(v: unknown, path: string, fallback?: number): number {
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) return refuse(path, `expected int, received ${typeName(v)}`);
  if (v < 0) refuse(path, 'too small: expected number to be >=0');
  if (v > INT32_MAX) refuse(path, `too big: expected number to be <=${INT32_MAX}`);
  return v;
}

function list(v: unknown, path: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return refuse(path, `expected array, received ${typeName(v)}`);
  return v;
}

function record(v: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return refuse(path, `expected object, received ${typeName(v)}`);
  return v as Record<string, unknown>;
}

function sha(v: unknown, path: string): string {
  const s = str(v, path, { required: 'expected a full commit sha (40 or 64 hex digits)' }).toLowerCase();
  if (!isFullSha(s)) refuse(path, 'expected a full commit sha (40 or 64 hex digits)');
  return s;
}

/** A google.protobuf.Timestamp as epoch milliseconds (required). */
function timestamp(v: unknown, path: string): number {
  if (v === undefined || v === null) return refuse(path, 'required');
  const t = record(v, path);
  const raw = t['seconds'];
  if (typeof raw !== 'string' && typeof raw !== 'number')
    return refuse(`${path}.seconds`, `expected string | number, received ${typeName(raw)}`);
  const nanos = int32(t['nanos'], `${path}.nanos`, 0);
  if (nanos > 999_999_999) refuse(`${path}.nanos`, 'too big: expected number to be <=999999999');
  const seconds = Number(raw);
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 253_402_300_799)
    refuse(path, `expected seconds between 1970 and 9999, got ${String(raw).slice(0, 40)}`);
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function diffLines(v: unknown, path: string): DiffLine[] {
  const lines = list(v, path);
  const out = new Array<DiffLine>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = record(lines[i], `${path}.${i}`);
    const content = l['content'];
    if (typeof content !== 'string') refuse(`${path}.${i}.content`, `expected string, received ${typeName(content)}`);
    out[i] = { number: int32(l['number'], `${path}.${i}.number`), content: content as string };
  }
  return out;
}

function hunkList(v: unknown, path: string): Hunk[] {
  const hunks = list(v, path);
  const out = new Array<Hunk>(hunks.length);
  for (let i = 0; i < hunks.length; i++) {
    const at = `${path}.${i}`;
    const h = record(hunks[i], at);
    out[i] = {
      old_start: int32(h['old_start'], `${at}.old_start`),
      old_lines: int32(h['old_lines'], `${at}.old_lines`),
      new_start: int32(h['new_start'], `${at}.new_start`),
      new_lines: int32(h['new_lines'], `${at}.new_lines`),
      deleted_lines: diffLines(h['deleted_lines'], `${at}.deleted_lines`),
      added_lines: diffLines(h['added_lines'], `${at}.added_lines`),
    };
  }
  return out;
}

export type ProtoCommitResult = { ok: true; event: CommitEvent } | { ok: false; field: string; reason: string };

/** A gRPC commit into the Avro event; refusals name the field (`commit.files.2.path: required`). */
export function commitFromProto(input: unknown, pseudonymKey: string, source: IngestSource): ProtoCommitResult {
  try {
    return { ok: true, event: readCommit(input ?? {}, pseudonymKey, source) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, field: err.field, reason: err.reason };
    throw err;
  }
}

function readCommit(input: unknown, pseudonymKey: string, source: IngestSource): CommitEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Refusal('commit', `commit: expected object, received ${typeName(input)}`);
  const c = input as Record<string, unknown>;
  // Counts first: a list over its limit is refused before any entry of it is read.
  const parentList = list(c['parents'], 'parents');
  if (parentList.length > MAX_PARENTS) refuse('parents', `${parentList.length} parents; at most ${MAX_PARENTS}`);
  const repoId = str(c['repo_id'], 'repo_id', { required: 'required' });
  const repoName = str(c['repo_name'], 'repo_name');
  const provider = str(c['provider'], 'provider', { fallback: 'SCM_PROVIDER_UNSPECIFIED' });
  const commitSha = sha(c['sha'], 'sha');
  const parents = parentList.map((p, i) => sha(p, `parents.${i}`));
  const author = str(c['author'], 'author', { required: 'required (an e-mail, login or pseudonymous id)' });
  const committer = str(c['committer'], 'committer');
  const authorTime = timestamp(c['author_time'], 'author_time');
  const commitTime = timestamp(c['commit_time'], 'commit_time');
  const message = str(c['message'], 'message');
  const branch = c['branch'] === undefined || c['branch'] === null ? null : str(c['branch'], 'branch');
  const repo = repoRefFromName(repoId, 'git');
  if ('error' in repo) throw new Refusal('commit.repo_id', `commit.repo_id: ${repo.error}`);
  const statedProvider = providers[provider as keyof typeof providers];
  if (!(provider in providers))
    throw new Refusal('commit.provider', `commit.provider: unknown value ${provider.slice(0, 60)}`);
  if (statedProvider && statedProvider !== repo.provider)
    throw new Refusal('commit.provider', `commit.provider: ${provider} does not match repo_id "${repoId}"`);
  const fileList = list(c['files'], 'files');
  const files = new Array<FileChange>(fileList.length);
  for (let i = 0; i < fileList.length; i++) {
    const at = `files.${i}`;
    const f = record(fileList[i], at);
    const path = str(f['path'], `${at}.path`, { required: 'required' });
    const oldPath = f['old_path'] === undefined || f['old_path'] === null ? '' : str(f['old_path'], `${at}.old_path`);
    const statusName = str(f['status'], `${at}.status`, { fallback: 'FILE_STATUS_UNSPECIFIED' });
    const added = int32(f['lines_added'], `${at}.lines_added`, 0);
    const deleted = int32(f['lines_deleted'], `${at}.lines_deleted`, 0);
    const binary = f['binary'] === undefined || f['binary'] === null ? false : f['binary'];
    if (typeof binary !== 'boolean') refuse(`${at}.binary`, `expected boolean, received ${typeName(binary)}`);
    const hunks = hunkList(f['hunks'], `${at}.hunks`);
    const status = statuses[statusName];
    if (!status) refuse(`${at}.status`, `unknown value ${statusName.slice(0, 60)}`);
    files[i] = {
      path,
      old_path: oldPath || null,
      status: status!,
      lines_added: binary ? 0 : added,
      lines_deleted: binary ? 0 : deleted,
      binary: binary as boolean,
      hunks: hunksOf({ binary: binary as boolean, lines_added: added, lines_deleted: deleted, hunks }),
    };
  }
  return {
    event_id: commitEventId(repo.id, commitSha),
    event_time: commitTime,
    repo_id: repo.id,
    repo_name: repoName || repo.name,
    provider: repo.provider,
    sha: commitSha,
    parents,
    author_id: pseudonym(pseudonymKey, author),
    committer_id: pseudonym(pseudonymKey, committer || author),
    author_time: authorTime,
    commit_time: commitTime,
    message: normaliseMessage(message),
    files,
    branch: branch || null,
    source,
    // gRPC producers send line counts (the proto requires them per file).
    line_counts_known: true,
  };
}

/**
 * Proto3 cannot tell "no hunks" from "not sent", but the line counts can: an empty list with
 * lines added or deleted means line counts only (null), while an empty list with none is a change
 * that has no hunks at all — an empty file added, a pure rename — and is known to be empty ([]).
 * Reading those as "unknown" left SZZ without the file's blame for the rest of the history (on
 * express through ingest: 952 bug-inducing commits where the same hunks in process give 1,053).
 */
function hunksOf(f: {
  binary: boolean;
  lines_added: number;
  lines_deleted: number;
  hunks: Hunk[];
}): CommitEvent['files'][number]['hunks'] {
  if (f.binary) return null;
  if (f.hunks.length > 0) return f.hunks;
  return f.lines_added === 0 && f.lines_deleted === 0 ? [] : null;
}
