import type { ingestV1 } from '@omen/contracts';
import { countJsonLines, readJsonLines } from '../adapters/history-file.ts';
import { readGitLog } from '../adapters/git.ts';
import type { CommitDetail } from '../domain/enrich.ts';
import type { FileChange, FileStatus } from '../domain/events.ts';
import { canonicalOrder } from '../domain/history-order.ts';
import { historyLine, type HistoryLine } from '../domain/jsonl.ts';
import type { RepoRef } from '../domain/events.ts';
import { describeZodError } from '../domain/validation.ts';
import { spawnSync } from 'node:child_process';

/** One commit of a history, in source order; `request` is absent when the source itself is bad. */
export interface SourceItem {
  position: number;
  /** Where in the source, for messages: `line 12` or the sha. */
  where: string;
  sha: string | undefined;
  request?: ingestV1.PublishCommitRequest;
  error?: string;
}

export interface HistorySource {
  kind: 'git' | 'jsonl';
  path: string;
  /** Commits in the source, when cheap to know (for the progress bar). */
  total(): Promise<number | undefined>;
  items(signal?: AbortSignal): AsyncGenerator<SourceItem>;
}

const protoStatus: Record<FileStatus, ingestV1.FileStatus> = {
  added: 'FILE_STATUS_ADDED',
  modified: 'FILE_STATUS_MODIFIED',
  deleted: 'FILE_STATUS_DELETED',
  renamed: 'FILE_STATUS_RENAMED',
  copied: 'FILE_STATUS_COPIED',
  unknown: 'FILE_STATUS_UNSPECIFIED',
};

function timestamp(ms: number): { seconds: string; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

function protoFile(f: FileChange): ingestV1.FileChange {
  return {
    path: f.path,
    ...(f.old_path !== null ? { old_path: f.old_path } : {}),
    status: protoStatus[f.status],
    lines_added: f.lines_added,
    lines_deleted: f.lines_deleted,
    binary: f.binary,
    hunks: f.hunks ?? [],
  };
}

/** A commit read by `git log` as the gRPC request; identities go as e-mails (ingest hashes them). */
export function requestFromDetail(d: CommitDetail, repo: RepoRef): ingestV1.PublishCommitRequest {
  return {
    commit: {
      repo_id: repo.id,
      repo_name: repo.name,
      sha: d.sha,
      parents: d.parents,
      author: d.authorIdentity,
      committer: d.committerIdentity,
      author_time: timestamp(d.authorTime),
      commit_time: timestamp(d.commitTime),
      message: d.message,
      files: d.files.map(protoFile),
    },
  };
}

/** A local repository walked in canonical order (readGitLog) with `git log --numstat -p`. */
export function gitSource(path: string, repo: RepoRef, rev = 'HEAD'): HistorySource {
  return {
    kind: 'git',
    path,
    total() {
      const r = spawnSync('git', ['-C', path, 'rev-list', '--count', rev], { encoding: 'utf8' });
      const n = Number(r.stdout.trim());
      return Promise.resolve(r.status === 0 && Number.isFinite(n) ? n : undefined);
    },
    async *items(signal) {
      let position = 0;
      for await (const d of readGitLog(path, { rev, ...(signal ? { signal } : {}) })) {
        yield { position: position++, where: d.sha, sha: d.sha, request: requestFromDetail(d, repo) };
      }
    },
  };
}

/**
 * A JSONL history export (the express-commits.jsonl.gz format), gzip or not. Person ids in it
 * are already pseudonymous; they go as identities and ingest hashes them once more under its key.
 *
 * Commits are published in canonical order (domain/history-order.ts), like the git source, so
 * both give the featurizer the same stream: the file is read whole first (an export holds no
 * diffs, a few hundred bytes per commit). Lines that are not commits are reported first, in
 * file order.
 */
export function jsonlSource(path: string, repo: RepoRef): HistorySource {
  return {
    kind: 'jsonl',
    path,
    total: () => countJsonLines(path),
    async *items(signal) {
      let position = 0;
      const commits: (HistoryLine & { commitTime: number; where: string })[] = [];
      for await (const { lineNo, text } of readJsonLines(path, signal)) {
        const where = `line ${lineNo}`;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (err) {
          yield {
            position: position++,
            where,
            sha: undefined,
            error: `${where}: not JSON (${(err as Error).message})`,
          };
          continue;
        }
        const parsed = historyLine.safeParse(json);
        if (!parsed.success) {
          yield { position: position++, where, sha: undefined, error: `${where}: ${describeZodError(parsed.error)}` };
          continue;
        }
        commits.push({ ...parsed.data, commitTime: parsed.data.commit_time, where });
      }
      if (signal?.aborted) return;
      for (const l of canonicalOrder(commits)) {
        yield {
          position: position++,
          where: l.where,
          sha: l.sha,
          request: {
            commit: {
              repo_id: repo.id,
              repo_name: repo.name,
              sha: l.sha,
              parents: l.parents,
              author: l.author_id,
              committer: l.committer_id,
              author_time: timestamp(l.author_time * 1000),
              commit_time: timestamp(l.commit_time * 1000),
              message: l.message,
              files: l.files.map((f) =>
                protoFile({
                  path: f.path,
                  old_path: f.old_path ?? null,
                  status: f.old_path ? 'renamed' : 'unknown',
                  lines_added: f.binary ? 0 : f.added,
                  lines_deleted: f.binary ? 0 : f.deleted,
                  binary: f.binary,
                  hunks: null,
                }),
              ),
            },
          },
        };
      }
    },
  };
}
