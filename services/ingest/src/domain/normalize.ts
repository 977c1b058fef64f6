import { repoIdProblem, shown } from '@omen/ids';
import type { CommitDraft, IssueEvent, PullRequestEvent, RepoRef, ScmProvider } from './events.ts';
import { repoId } from './ids.ts';
import type { PushRange } from './push.ts';

export interface NormalizeOptions {
  /** Key of the pseudonymous person ids (HMAC), the same for every path into ingest. */
  pseudonymKey: string;
  /** Lower-cased label names that mark an issue as a bug report. */
  bugLabels: ReadonlySet<string>;
}

/** Default bug-label mapping: the spellings common on GitHub and GitLab, compared lower-cased. */
export const defaultBugLabels: readonly string[] = [
  'bug',
  'type: bug',
  'type:bug',
  'type/bug',
  'kind/bug',
  'kind: bug',
  'bug report',
  'defect',
  'regression',
];

export type Normalized =
  | {
      outcome: 'accepted';
      repo: RepoRef;
      commits: CommitDraft[];
      pullRequests: PullRequestEvent[];
      issues: IssueEvent[];
      /** Things an operator may want to know (truncated pushes), logged by the server. */
      notes: string[];
      /** For a branch push: the range it covers, to complete a truncated commit list. */
      push?: PushRange;
    }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'rejected'; reason: string };

export function isBugReport(
  labels: readonly string[],
  bugLabels: ReadonlySet<string>,
  issueType?: string | null,
): boolean {
  if (issueType && issueType.trim().toLowerCase() === 'bug') return true;
  return labels.some((l) => bugLabels.has(l.trim().toLowerCase()));
}

const shaInText = /\b[0-9a-f]{40}\b/gi;

/**
 * Commits and requests an issue's text points at. Only unambiguous forms count: full shas, links
 * to this repository's pull/merge requests, and GitLab's `!N` (MR-only syntax). A bare `#N` could
 * be an issue or a PR on GitHub, so it is not counted as a PR reference.
 */
export function extractReferences(
  text: string,
  provider: ScmProvider,
  repoName: string,
): { shas: string[]; pullRequests: number[] } {
  const shas = new Set<string>();
  for (const m of text.matchAll(shaInText)) shas.add(m[0].toLowerCase());
  const prs = new Set<number>();
  const escaped = repoName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const link =
    provider === 'github'
      ? new RegExp(`github\\.com/${escaped}/pull/(\\d+)`, 'gi')
      : new RegExp(`/${escaped}/-/merge_requests/(\\d+)`, 'gi');
  for (const m of text.matchAll(link)) addNumber(prs, m[1]);
  if (provider === 'gitlab') {
    for (const m of text.matchAll(/(?:^|[\s(])!(\d+)\b/g)) addNumber(prs, m[1]);
  }
  return { shas: [...shas], pullRequests: [...prs] };
}

function addNumber(into: Set<number>, digits: string | undefined): void {
  const n = Number(digits);
  if (Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647) into.add(n);
}

/** Empty descriptions are null in the events ("null when empty or not sent"). */
export function nullIfEmpty(text: string | null | undefined): string | null {
  return text === undefined || text === null || text === '' ? null : text;
}

/**
 * A repository named on a command line or in a gRPC request: `github:owner/name`,
 * `gitlab:group/sub/project`, `git:name`, or a bare path taking `defaultProvider`.
 */
export function repoRefFromName(name: string, defaultProvider: ScmProvider = 'git'): RepoRef | { error: string } {
  const trimmed = name.trim();
  const m = /^(github|gitlab|git|other):(.*)$/.exec(trimmed);
  const provider = (m?.[1] as ScmProvider | undefined) ?? defaultProvider;
  const path = (m ? (m[2] ?? '') : trimmed).replace(/^\/+|\/+$/g, '');
  if (path === '' || /[\s\0]/.test(path)) {
    return { error: `repository ${shown(name)} must be [provider:]path with no spaces, e.g. github:expressjs/express` };
  }
  if ((provider === 'github' || provider === 'gitlab') && !path.includes('/')) {
    return { error: `repository ${shown(name)} must name owner/name on ${provider}` };
  }
  const id = repoId(provider, path);
  const problem = repoIdProblem(id);
  return problem ? { error: `repository id ${problem}` } : { provider, id, name: path };
}
