import { z } from 'zod';
import type { CommitEvent, FileChange } from './events.ts';
import { commitEventId } from './ids.ts';
import type { RepoRef } from './events.ts';
import { describeZodError, fullSha, normaliseMessage } from './validation.ts';

/**
 * One line of a commit-history export (the format of `express-commits.jsonl.gz`): person ids
 * are already pseudonymous, times are unix seconds, files carry line counts but no diff.
 */
export const historyLine = z.object({
  sha: fullSha,
  parents: z.array(fullSha),
  author_id: z.string().min(1),
  committer_id: z.string().min(1),
  author_time: z.number().int().nonnegative(),
  commit_time: z.number().int().nonnegative(),
  message: z.string(),
  files: z.array(
    z.object({
      path: z.string().min(1),
      old_path: z.string().min(1).nullish(),
      added: z.number().int().nonnegative(),
      deleted: z.number().int().nonnegative(),
      binary: z.boolean().default(false),
    }),
  ),
});

export type HistoryLine = z.infer<typeof historyLine>;

export type LineResult = { ok: true; event: CommitEvent } | { ok: false; reason: string };

/** Parses one JSONL line (1-based `lineNo` for the message) into a commit event for `repo`. */
export function parseHistoryLine(text: string, lineNo: number, repo: RepoRef): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `line ${lineNo}: not JSON (${(err as Error).message})` };
  }
  const parsed = historyLine.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `line ${lineNo}: ${describeZodError(parsed.error)}` };
  return { ok: true, event: historyToEvent(parsed.data, repo) };
}

export function historyToEvent(line: HistoryLine, repo: RepoRef): CommitEvent {
  const files: FileChange[] = line.files.map((f) => ({
    path: f.path,
    old_path: f.old_path ?? null,
    // The export records renames but not additions or deletions of whole files.
    status: f.old_path ? 'renamed' : 'unknown',
    lines_added: f.binary ? 0 : f.added,
    lines_deleted: f.binary ? 0 : f.deleted,
    binary: f.binary,
    hunks: null,
  }));
  return {
    event_id: commitEventId(repo.id, line.sha),
    event_time: line.commit_time * 1000,
    repo_id: repo.id,
    repo_name: repo.name,
    provider: repo.provider,
    sha: line.sha,
    parents: line.parents,
    author_id: line.author_id,
    committer_id: line.committer_id,
    author_time: line.author_time * 1000,
    commit_time: line.commit_time * 1000,
    message: normaliseMessage(line.message),
    files,
    branch: null,
    source: 'backfill',
    line_counts_known: true,
  };
}
