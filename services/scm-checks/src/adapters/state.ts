// What scm-checks remembers, in Redis: which open pull/merge requests hold a commit (from
// scm.pullrequests.v1), the newest prediction per commit (so a request opened after its commit
// was scored is decorated at once), and what was published per commit and target (the
// idempotency record: repository, sha, model version). Keys carry the repository as a hash tag.
import type { RedisClient } from '@omen/service';
import type { RiskReport } from '../domain/summary.ts';

export interface OpenRequest {
  provider: 'github' | 'gitlab';
  /** `owner/name` or the GitLab project path. */
  repoName: string;
  number: number;
}

export interface Published {
  modelName: string;
  modelVersion: string;
  predictedAt: number;
  checkRunId?: number;
  noteId?: number;
  /** Published without findings because inference did not answer: the same version again redoes it. */
  incomplete?: boolean;
}

export interface StateOptions {
  prefix: string;
  /** How long a commit's membership and prediction are kept without news, seconds. @default 30 days */
  ttlSeconds?: number;
}

export class ChecksState {
  readonly #ttl: number;

  constructor(
    readonly redis: RedisClient,
    readonly options: StateOptions,
  ) {
    this.#ttl = options.ttlSeconds ?? 30 * 86_400;
  }

  #key(kind: string, repoId: string, sha: string): string {
    return `${this.options.prefix}:${kind}:{${repoId}}:${sha}`;
  }

  async addOpen(repoId: string, shas: readonly string[], req: OpenRequest): Promise<void> {
    const multi = this.redis.multi();
    for (const sha of shas) {
      const key = this.#key('pr', repoId, sha);
      multi.hset(key, String(req.number), JSON.stringify(req)).expire(key, this.#ttl);
    }
    await multi.exec();
  }

  async removeClosed(repoId: string, shas: readonly string[], number: number): Promise<void> {
    const multi = this.redis.multi();
    for (const sha of shas) multi.hdel(this.#key('pr', repoId, sha), String(number));
    await multi.exec();
  }

  async openRequests(repoId: string, sha: string): Promise<OpenRequest[]> {
    const all = await this.redis.hvals(this.#key('pr', repoId, sha));
    return all.map((v) => JSON.parse(v) as OpenRequest);
  }

  /** Keeps the newer of the stored and the given prediction; returns whether the given one is kept. */
  async keepPrediction(report: RiskReport): Promise<boolean> {
    const key = this.#key('prediction', report.repoId, report.sha);
    const current = await this.redis.get(key);
    if (current && (JSON.parse(current) as RiskReport).predictedAt > report.predictedAt) return false;
    await this.redis.set(key, JSON.stringify(report), 'EX', this.#ttl);
    return true;
  }

  async prediction(repoId: string, sha: string): Promise<RiskReport | undefined> {
    const v = await this.redis.get(this.#key('prediction', repoId, sha));
    return v ? (JSON.parse(v) as RiskReport) : undefined;
  }

  async published(target: string, repoId: string, sha: string): Promise<Published | undefined> {
    const v = await this.redis.get(this.#key(`published:${target}`, repoId, sha));
    return v ? (JSON.parse(v) as Published) : undefined;
  }

  async setPublished(target: string, repoId: string, sha: string, p: Published): Promise<void> {
    await this.redis.set(this.#key(`published:${target}`, repoId, sha), JSON.stringify(p), 'EX', this.#ttl);
  }
}
