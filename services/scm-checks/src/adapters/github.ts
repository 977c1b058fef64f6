// GitHub check runs through the Checks API as a GitHub App: @octokit/auth-app signs the app's
// JWT, finds the repository's installation (GET /repos/{owner}/{repo}/installation) and mints and
// refreshes installation tokens; @octokit/plugin-throttling waits out primary rate limits
// (x-ratelimit-reset) and secondary ones (Retry-After) before retrying. One check run per
// (commit, CHECK_NAME): an existing one is found by listing the commit's runs and updated in
// place, so a redelivery after a crash between create and our own bookkeeping does not add one.
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '@omen/telemetry';
import { CHECK_NAME, type Rendered } from '../domain/summary.ts';

export interface GithubAppOptions {
  appId: string;
  /** The app's private key (PEM). */
  privateKey: string;
  /** @default https://api.github.com */
  baseUrl?: string;
  logger: Logger;
  /** Retries of one request after a rate limit. @default 3 */
  maxRateLimitRetries?: number;
}

const Client = Octokit.plugin(throttling);
type Client = InstanceType<typeof Client>;

export interface CheckRunTarget {
  owner: string;
  repo: string;
  sha: string;
}

export class GithubChecks {
  readonly #o: GithubAppOptions;
  readonly #app: Client;
  /** One client per installation: auth-app caches and refreshes that installation's token. */
  readonly #installations = new Map<string, Client>();

  constructor(options: GithubAppOptions) {
    this.#o = options;
    this.#app = this.#client({ appId: options.appId, privateKey: options.privateKey });
  }

  #client(auth: { appId: string; privateKey: string; installationId?: number }): Client {
    const { logger } = this.#o;
    const max = this.#o.maxRateLimitRetries ?? 3;
    return new Client({
      authStrategy: createAppAuth,
      auth,
      baseUrl: this.#o.baseUrl ?? 'https://api.github.com',
      userAgent: 'omen-scm-checks',
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (m: string) => logger.warn(m),
        error: (m: string) => logger.error(m),
      },
      throttle: {
        onRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          logger.warn(
            { retryAfter, method: options.method, url: options.url, retryCount },
            'github rate limit: waiting before the retry',
          );
          return retryCount < max;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          logger.warn(
            { retryAfter, method: options.method, url: options.url, retryCount },
            'github secondary rate limit: waiting Retry-After before the retry',
          );
          return retryCount < max;
        },
      },
    });
  }

  async #forRepo(owner: string, repo: string): Promise<Client> {
    const key = `${owner}/${repo}`.toLowerCase();
    const known = this.#installations.get(key);
    if (known) return known;
    const { data } = await this.#app.request('GET /repos/{owner}/{repo}/installation', { owner, repo });
    const client = this.#client({ appId: this.#o.appId, privateKey: this.#o.privateKey, installationId: data.id });
    this.#installations.set(key, client);
    return client;
  }

  /** Creates or updates the commit's check run; returns its id. */
  async publish(t: CheckRunTarget, rendered: Rendered, externalId: string): Promise<number> {
    const octokit = await this.#forRepo(t.owner, t.repo);
    const existing = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      ref: t.sha,
      check_name: CHECK_NAME,
      filter: 'latest',
      per_page: 1,
    });
    const body = {
      status: 'completed' as const,
      conclusion: rendered.conclusion,
      completed_at: new Date().toISOString(),
      external_id: externalId,
      output: { title: rendered.title, summary: rendered.summary },
    };
    const run = existing.data.check_runs[0];
    if (run) {
      await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: t.owner,
        repo: t.repo,
        check_run_id: run.id,
        name: CHECK_NAME,
        ...body,
      });
      return Number(run.id);
    }
    const created = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      name: CHECK_NAME,
      head_sha: t.sha,
      ...body,
    });
    return Number(created.data.id);
  }
}
