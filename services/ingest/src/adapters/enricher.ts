import type { CommitDetail } from '../domain/enrich.ts';
import type { RepoRef } from '../domain/events.ts';
import { GitMirrorReader } from './git.ts';
import type { GithubCommitSource } from './github-api.ts';
import type { GitlabCommitSource } from './gitlab-api.ts';

/** Fills in what a push webhook lacks. `undefined`: no source is configured for this repository. */
export interface Enricher {
  enrich(repo: RepoRef, sha: string): Promise<CommitDetail | undefined>;
  /** Which source would serve this repository, for logs and metrics. */
  sourceFor(repo: RepoRef): 'git-mirror' | 'github-api' | 'gitlab-api' | undefined;
}

export interface ScmEnricherOptions {
  github?: GithubCommitSource;
  gitlab?: GitlabCommitSource;
  /** Repository id (`github:owner/name`) → local mirror path. A mirror wins over the API: no rate limit, full diffs. */
  mirrors?: ReadonlyMap<string, string>;
}

export class ScmEnricher implements Enricher {
  readonly #options: ScmEnricherOptions;
  /** One reader per mirror path: it gathers that mirror's concurrent requests into one git process. */
  readonly #readers = new Map<string, GitMirrorReader>();

  constructor(options: ScmEnricherOptions) {
    this.#options = options;
  }

  sourceFor(repo: RepoRef): 'git-mirror' | 'github-api' | 'gitlab-api' | undefined {
    if (this.#options.mirrors?.has(repo.id)) return 'git-mirror';
    if (repo.provider === 'github' && this.#options.github) return 'github-api';
    if (repo.provider === 'gitlab' && this.#options.gitlab) return 'gitlab-api';
    return undefined;
  }

  async enrich(repo: RepoRef, sha: string): Promise<CommitDetail | undefined> {
    switch (this.sourceFor(repo)) {
      case 'git-mirror':
        return this.#mirrorReader(this.#options.mirrors!.get(repo.id)!).show(sha);
      case 'github-api':
        return this.#options.github!.commit(repo.name, sha);
      case 'gitlab-api':
        return this.#options.gitlab!.commit(repo.gitlabProjectId ?? repo.name, sha);
      default:
        return undefined;
    }
  }

  #mirrorReader(path: string): GitMirrorReader {
    let reader = this.#readers.get(path);
    if (!reader) this.#readers.set(path, (reader = new GitMirrorReader(path)));
    return reader;
  }
}
