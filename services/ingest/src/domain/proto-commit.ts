import { z } from 'zod';
import type { CommitEvent, FileChange, FileStatus, IngestSource } from './events.ts';
import { commitEventId, pseudonym } from './ids.ts';
import { repoRefFromName } from './normalize.ts';
import { describeZodError, fullSha, normaliseMessage } from './validation.ts';

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

const int32 = z.number().int().min(0).max(2_147_483_647);

const timestamp = z
  .object({ seconds: z.union([z.string(), z.number()]), nanos: z.number().int().min(0).max(999_999_999).default(0) })
  .nullish()
  .transform((t, ctx) => {
    if (!t) {
      ctx.issues.push({ code: 'custom', message: 'required', input: t });
      return z.NEVER;
    }
    const seconds = Number(t.seconds);
    if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 253_402_300_799) {
      ctx.issues.push({ code: 'custom', message: `expected seconds between 1970 and 9999, got ${String(t.seconds)}`, input: t });
      return z.NEVER;
    }
    return seconds * 1000 + Math.floor(t.nanos / 1e6);
  });

const diffLine = z.object({ number: int32, content: z.string() });

const protoCommit = z.object({
  repo_id: z.string().min(1, 'required'),
  repo_name: z.string().default(''),
  provider: z.string().default('SCM_PROVIDER_UNSPECIFIED'),
  sha: fullSha,
  parents: z.array(fullSha).default([]),
  author: z.string().min(1, 'required (an e-mail, login or pseudonymous id)'),
  committer: z.string().default(''),
  author_time: timestamp,
  commit_time: timestamp,
  message: z.string().default(''),
  files: z
    .array(
      z.object({
        path: z.string().min(1, 'required'),
        old_path: z.string().nullish(),
        status: z.string().default('FILE_STATUS_UNSPECIFIED'),
        lines_added: int32.default(0),
        lines_deleted: int32.default(0),
        binary: z.boolean().default(false),
        hunks: z
          .array(
            z.object({
              old_start: int32,
              old_lines: int32,
              new_start: int32,
              new_lines: int32,
              deleted_lines: z.array(diffLine).default([]),
              added_lines: z.array(diffLine).default([]),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  branch: z.string().nullish(),
});

export type ProtoCommitResult = { ok: true; event: CommitEvent } | { ok: false; field: string; reason: string };

/** A gRPC commit into the Avro event; refusals name the field (`commit.files.2.path: required`). */
export function commitFromProto(input: unknown, pseudonymKey: string, source: IngestSource): ProtoCommitResult {
  const parsed = protoCommit.safeParse(input ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, field: ['commit', ...(first?.path ?? []).map(String)].join('.'), reason: `commit.${describeZodError(parsed.error)}` };
  }
  const c = parsed.data;
  const repo = repoRefFromName(c.repo_id, 'git');
  if ('error' in repo) return { ok: false, field: 'commit.repo_id', reason: `commit.repo_id: ${repo.error}` };
  const statedProvider = providers[c.provider as keyof typeof providers];
  if (!(c.provider in providers)) return { ok: false, field: 'commit.provider', reason: `commit.provider: unknown value ${c.provider}` };
  if (statedProvider && statedProvider !== repo.provider) {
    return { ok: false, field: 'commit.provider', reason: `commit.provider: ${c.provider} does not match repo_id "${c.repo_id}"` };
  }
  const files: FileChange[] = [];
  for (const [i, f] of c.files.entries()) {
    const status = statuses[f.status];
    if (!status) return { ok: false, field: `commit.files.${i}.status`, reason: `commit.files.${i}.status: unknown value ${f.status}` };
    files.push({
      path: f.path,
      old_path: f.old_path || null,
      status,
      lines_added: f.binary ? 0 : f.lines_added,
      lines_deleted: f.binary ? 0 : f.lines_deleted,
      binary: f.binary,
      hunks: hunksOf(f),
    });
  }
  return {
    ok: true,
    event: {
      event_id: commitEventId(repo.id, c.sha),
      event_time: c.commit_time,
      repo_id: repo.id,
      repo_name: c.repo_name || repo.name,
      provider: repo.provider,
      sha: c.sha,
      parents: c.parents,
      author_id: pseudonym(pseudonymKey, c.author),
      committer_id: pseudonym(pseudonymKey, c.committer || c.author),
      author_time: c.author_time,
      commit_time: c.commit_time,
      message: normaliseMessage(c.message),
      files,
      branch: c.branch || null,
      source,
      // gRPC producers send line counts (the proto requires them per file).
      line_counts_known: true,
    },
  };
}

/**
 * Proto3 cannot tell "no hunks" from "not sent", but the line counts can: an empty list with
 * lines added or deleted means line counts only (null), while an empty list with none is a change
 * that has no hunks at all — an empty file added, a pure rename — and is known to be empty ([]).
 * Reading those as "unknown" left SZZ without the file's blame for the rest of the history (on
 * express through ingest: 952 bug-inducing commits where the same hunks in process give 1,053).
 */
function hunksOf(f: { binary: boolean; lines_added: number; lines_deleted: number; hunks: CommitEvent['files'][number]['hunks'] & object }): CommitEvent['files'][number]['hunks'] {
  if (f.binary) return null;
  if (f.hunks.length > 0) return f.hunks;
  return f.lines_added === 0 && f.lines_deleted === 0 ? [] : null;
}
