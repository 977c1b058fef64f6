// The part of an scm.commits.v1 event (schemas/commit.avsc) the featurizer's domain reads.
// Declared here, structurally, so the domain depends on the contract's shape and not on a code
// generator; the generated contract type is assignable to it.
import { isFullSha, repoIdProblem, shown } from '@omen/ids';

export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'unknown';

export interface DiffLine {
  /** 1-based: in the old file for deleted lines, in the new file for added lines. */
  number: number;
  content: string;
}

export interface Hunk {
  old_start: number;
  old_lines: number;
  new_start: number;
  new_lines: number;
  deleted_lines: readonly DiffLine[];
  added_lines: readonly DiffLine[];
}

export interface FileChange {
  path: string;
  old_path: string | null;
  status: FileStatus;
  lines_added: number;
  lines_deleted: number;
  binary: boolean;
  hunks: readonly Hunk[] | null;
}

export interface CommitInput {
  repo_id: string;
  sha: string;
  parents: readonly string[];
  author_id: string;
  /** Epoch milliseconds UTC. */
  commit_time: number;
  message: string;
  files: readonly FileChange[];
  /** False for a push whose line counts ingest could not learn (schema default: true). */
  line_counts_known?: boolean;
}

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/**
 * Semantic checks beyond what Avro decoding guarantees. Each problem names the field; a commit
 * with problems goes to the dead-letter topic with them as the reason, and the stream goes on.
 */
export function validateCommit(commit: CommitInput): string[] {
  const problems: string[] = [];
  // Zeros that only mean "unknown" would corrupt LA/LD/Entropy here and LT (line counts per
  // file) for every later commit; the commit waits in the dead-letter topic until it can be
  // replayed with counts (enrichment configured, or a backfill from a clone).
  if (commit.line_counts_known === false) {
    problems.push(
      'line_counts_known is false: the push was published without line counts (ingest could not enrich it from the SCM API or a git mirror)',
    );
  }
  const repoProblem = repoIdProblem(commit.repo_id);
  if (repoProblem) problems.push(`repo_id ${repoProblem}`);
  if (!isFullSha(commit.sha)) problems.push(`sha must be 40 or 64 lower-case hex characters, got ${shown(commit.sha)}`);
  if (commit.author_id.trim() === '') problems.push('author_id is empty');
  if (!Number.isSafeInteger(commit.commit_time) || commit.commit_time < 0)
    problems.push(`commit_time must be epoch milliseconds >= 0, got ${commit.commit_time}`);
  commit.files.forEach((f, i) => {
    const at = `files[${i}]`;
    if (f.path === '' || f.path.startsWith('/') || f.path.endsWith('/'))
      problems.push(`${at}.path must be a relative file path, got "${f.path}"`);
    if (f.old_path !== null && (f.old_path === '' || f.old_path.startsWith('/')))
      problems.push(`${at}.old_path must be null or a relative file path, got "${f.old_path}"`);
    if ((f.status === 'renamed' || f.status === 'copied') && f.old_path === null)
      problems.push(`${at} is ${f.status} but old_path is null`);
    if (!isCount(f.lines_added)) problems.push(`${at}.lines_added must be an integer >= 0, got ${f.lines_added}`);
    if (!isCount(f.lines_deleted)) problems.push(`${at}.lines_deleted must be an integer >= 0, got ${f.lines_deleted}`);
    if (f.binary && (f.lines_added !== 0 || f.lines_deleted !== 0))
      problems.push(`${at} is binary but has line counts`);
    if (f.hunks !== null) {
      const added = f.hunks.reduce((s, h) => s + h.added_lines.length, 0);
      const deleted = f.hunks.reduce((s, h) => s + h.deleted_lines.length, 0);
      if (added !== f.lines_added || deleted !== f.lines_deleted) {
        problems.push(
          `${at}.hunks list ${added} added and ${deleted} deleted lines, but lines_added is ${f.lines_added} and lines_deleted ${f.lines_deleted}`,
        );
      }
    }
  });
  return problems;
}

/** A merge (two or more parents) brings changes that already arrived through the merged commits. */
export function isMerge(commit: Pick<CommitInput, 'parents'>): boolean {
  return commit.parents.length >= 2;
}
