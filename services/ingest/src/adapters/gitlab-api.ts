import { detailFromGitlab, type CommitDetail } from '../domain/enrich.ts';
import { rangeFromGitlabCompare, type CommitRange } from '../domain/push.ts';
import { ScmHttpClient, type ScmHttpOptions } from './scm-http.ts';

export interface GitlabApiOptions extends ScmHttpOptions {
  /** REST root. @default https://gitlab.com/api/v4 */
  baseUrl?: string;
  /** A personal, project or group access token with read_api (or read_repository). */
  token: string;
  /** Diff entries per page (GitLab's maximum is 100). @default 100 */
  perPage?: number;
  /** Diff pages followed at most. @default 30 */
  maxPages?: number;
}

/**
 * Commit detail from GitLab: `GET /projects/:id/repository/commits/:sha` for parents and dates,
 * then every page of `.../commits/:sha/diff` for the files.
 */
export class GitlabCommitSource {
  readonly #http: ScmHttpClient;
  readonly #baseUrl: string;
  readonly #perPage: number;
  readonly #maxPages: number;

  constructor(options: GitlabApiOptions) {
    this.#baseUrl = (options.baseUrl ?? 'https://gitlab.com/api/v4').replace(/\/+$/, '');
    this.#perPage = options.perPage ?? 100;
    this.#maxPages = options.maxPages ?? 30;
    this.#http = new ScmHttpClient('GitLab', { 'private-token': options.token, 'user-agent': 'omen-ingest' }, options);
  }

  /** `project` is the numeric id or the full path (`group/sub/project`). */
  async commit(project: number | string, sha: string): Promise<CommitDetail> {
    const base = `${this.#baseUrl}/projects/${encodeURIComponent(String(project))}/repository/commits/${encodeURIComponent(sha)}`;
    const commit = (await this.#http.getJson(base)).body;
    const pages: unknown[] = [];
    let page: string | null = '1';
    while (page && pages.length < this.#maxPages) {
      const res = await this.#http.getJson(`${base}/diff?per_page=${this.#perPage}&page=${page}`);
      pages.push(res.body);
      const next = res.headers.get('x-next-page');
      page = next && next.trim() !== '' ? next.trim() : null;
    }
    return detailFromGitlab(commit, pages);
  }

  /**
   * The commits reachable from `to` and not from `from`, oldest first
   * (`GET /projects/:id/repository/compare`, which GitLab does not page). `from` may be a
   * branch name: a new branch is compared against the default branch.
   */
  async compare(project: number | string, from: string, to: string): Promise<CommitRange> {
    const url = `${this.#baseUrl}/projects/${encodeURIComponent(String(project))}/repository/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    return rangeFromGitlabCompare((await this.#http.getJson(url)).body);
  }
}
