import { detailFromGithub, type CommitDetail } from '../domain/enrich.ts';
import { rangeFromGithubCompare, type CommitRange } from '../domain/push.ts';
import { ScmHttpClient, type ScmHttpOptions } from './scm-http.ts';

export interface GithubApiOptions extends ScmHttpOptions {
  /** REST root; GitHub Enterprise Server uses `https://HOST/api/v3`. @default https://api.github.com */
  baseUrl?: string;
  /** A token with read access to contents (PAT, fine-grained or an installation token). */
  token: string;
  /** Files per page (GitHub's maximum is 300). @default 300 */
  perPage?: number;
  /** Pages followed at most; GitHub serves up to 3000 files per commit. @default 10 */
  maxPages?: number;
  /** Commits per compare page (GitHub's maximum is 100). @default 100 */
  comparePerPage?: number;
  /** Compare pages followed at most. @default 30 */
  maxComparePages?: number;
}

/** Commit detail from `GET /repos/{owner}/{repo}/commits/{sha}`, following the file pages. */
export class GithubCommitSource {
  readonly #http: ScmHttpClient;
  readonly #baseUrl: string;
  readonly #perPage: number;
  readonly #maxPages: number;
  readonly #comparePerPage: number;
  readonly #maxComparePages: number;

  constructor(options: GithubApiOptions) {
    this.#baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.#perPage = options.perPage ?? 300;
    this.#maxPages = options.maxPages ?? 10;
    this.#comparePerPage = options.comparePerPage ?? 100;
    this.#maxComparePages = options.maxComparePages ?? 30;
    this.#http = new ScmHttpClient(
      'GitHub',
      {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'omen-ingest',
      },
      options,
    );
  }

  async commit(repoName: string, sha: string): Promise<CommitDetail> {
    const [owner, name] = repoName.split('/');
    const path = `/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/commits/${encodeURIComponent(sha)}`;
    let url: string | undefined = `${this.#baseUrl}${path}?per_page=${this.#perPage}`;
    const pages: unknown[] = [];
    while (url && pages.length < this.#maxPages) {
      const res = await this.#http.getJson(url);
      pages.push(res.body);
      url = nextLink(res.headers.get('link'));
    }
    return detailFromGithub(pages);
  }

  /**
   * The commits reachable from `head` and not from `base` (`GET .../compare/{base}...{head}`),
   * oldest first, following the Link pages. Paging is asked for explicitly: without it GitHub
   * stops at 250 commits. `stopAbove` ends the walk after the first page when the range is
   * larger than the caller will take anyway (the count comes back, the commits do not).
   */
  async compare(
    repoName: string,
    base: string,
    head: string,
    stopAbove = Number.POSITIVE_INFINITY,
  ): Promise<CommitRange> {
    const [owner, name] = repoName.split('/');
    const basehead = `${encodeURIComponent(base)}...${encodeURIComponent(head)}`;
    let url: string | undefined =
      `${this.#baseUrl}/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/compare/${basehead}?per_page=${this.#comparePerPage}`;
    const pages: unknown[] = [];
    while (url && pages.length < this.#maxComparePages) {
      const res = await this.#http.getJson(url);
      pages.push(res.body);
      if (pages.length === 1) {
        const total = rangeFromGithubCompare(pages).total;
        if (total > stopAbove) return { commits: [], total };
      }
      url = nextLink(res.headers.get('link'));
    }
    return rangeFromGithubCompare(pages);
  }
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m?.[2]?.split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}
