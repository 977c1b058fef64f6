import type { CommitDraft } from '../domain/events.ts';
import type { RepoRef } from '../domain/events.ts';
import { comparisonBase, completePush, missingFromHook, type CommitRange, type PushRange } from '../domain/push.ts';
import type { GithubCommitSource } from './github-api.ts';
import type { GitlabCommitSource } from './gitlab-api.ts';

/**
 * How a truncated push was handled: `complete` (every commit fetched), `partial` (fetched, but
 * the API listed fewer than the push has), `no_client` (no API token for the provider),
 * `failed` (the API call failed after its retries), `new_branch` (no base to compare against),
 * `too_large` (more commits than `maxCommits`: a backfill's job, not a webhook's).
 */
export type CompletionOutcome = 'complete' | 'partial' | 'no_client' | 'failed' | 'new_branch' | 'too_large';

export interface PushCompletion {
  outcome: CompletionOutcome;
  /** Every commit to publish, parents first. */
  commits: CommitDraft[];
  /** Commits added to what the hook listed. */
  fetched: number;
  /** Commits of the push known to be left out (0 when nobody said how many there are). */
  missing: number;
  /** The revision the range was compared from (`before`, or the default branch of a new one). */
  base?: string;
  /** Why the API could not be used, for the log. */
  error?: unknown;
}

export interface PushCompleterOptions {
  github?: GithubCommitSource;
  gitlab?: GitlabCommitSource;
  pseudonymKey: string;
  /**
   * Largest push completed inside a webhook. Each fetched commit is also enriched (one to three
   * API calls) before the webhook is answered, so a huge push would outlast the SCM's timeout
   * and spend the API's rate limit; beyond this it is left to a backfill. @default 3000
   */
  maxCommits?: number;
}

/**
 * Completes push webhooks whose commit list the SCM truncated, by asking the SCM API for the
 * range's commits. It never fails a delivery: when it cannot complete one, the listed commits
 * go out alone and the result says how many are missing, for the metric and the log.
 */
export class PushCompleter {
  readonly #maxCommits: number;
  readonly #o: PushCompleterOptions;

  constructor(o: PushCompleterOptions) {
    this.#o = o;
    this.#maxCommits = o.maxCommits ?? 3000;
  }

  /** Whether a push of this repository can be completed at all (an API token for its SCM). */
  configuredFor(repo: RepoRef): boolean {
    return repo.provider === 'github'
      ? this.#o.github !== undefined
      : repo.provider === 'gitlab'
        ? this.#o.gitlab !== undefined
        : false;
  }

  async complete(repo: RepoRef, range: PushRange, listed: readonly CommitDraft[]): Promise<PushCompletion> {
    const asListed = (outcome: CompletionOutcome, extra: Partial<PushCompletion> = {}): PushCompletion => ({
      outcome,
      commits: [...listed],
      fetched: 0,
      missing: missingFromHook(range),
      ...extra,
    });
    const from = comparisonBase(repo.provider, range);
    if ('none' in from) return asListed(from.none);
    if (!this.configuredFor(repo)) return asListed('no_client', { base: from.base });
    if (range.total !== undefined && range.total > this.#maxCommits) return asListed('too_large', { base: from.base });

    let fetched: CommitRange;
    try {
      fetched = await this.#fetch(repo, from.base, range.after);
    } catch (err) {
      // Whatever went wrong (rate limit beyond the wait budget, 5xx after the retries, an
      // unknown sha, a refused token, an unreadable answer), the listed commits are real, and
      // neither GitHub nor GitLab redelivers a failed webhook by itself: publish them now and
      // report the gap for a backfill.
      return asListed('failed', { base: from.base, error: err });
    }
    if (fetched.total > this.#maxCommits && fetched.commits.length === 0) {
      return asListed('too_large', {
        base: from.base,
        missing: Math.max(missingFromHook(range), fetched.total - listed.length),
      });
    }
    const done = completePush(repo, range, listed, fetched, this.#o.pseudonymKey);
    return {
      outcome: done.missing > 0 ? 'partial' : 'complete',
      commits: done.commits,
      fetched: done.fetched,
      missing: done.missing,
      base: from.base,
    };
  }

  #fetch(repo: RepoRef, base: string, head: string): Promise<CommitRange> {
    if (repo.provider === 'github') return this.#o.github!.compare(repo.name, base, head, this.#maxCommits);
    return this.#o.gitlab!.compare(repo.gitlabProjectId ?? repo.name, base, head);
  }
}
