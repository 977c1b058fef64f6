// The orchestrator: pull-request events say which commits are in open requests; predictions say
// what the model thinks of a commit; where both meet, the result goes to the SCM (a GitHub check
// run; a GitLab commit status and, optionally, a merge-request note). Idempotent by (repository,
// sha, model version): a redelivered record or the same version again publishes nothing; a
// newer prediction (a new model version) updates what is there instead of adding to it.
import { InvalidArgumentError } from '@omen/errors';
import { checkRepoId, isFullSha } from '@omen/ids';
import type { Logger } from '@omen/telemetry';
import type { Prediction, PullRequest } from '@omen/contracts';
import { externalId, noteBody, render, supersedes, type RiskReport } from './domain/summary.ts';
import type { ChecksState, OpenRequest } from './adapters/state.ts';
import type { GithubChecks } from './adapters/github.ts';
import type { GitlabStatuses } from './adapters/gitlab.ts';
import type { QualitySource } from './adapters/inference.ts';

export interface DecoratorOptions {
  state: ChecksState;
  github: GithubChecks | undefined;
  gitlab: GitlabStatuses | undefined;
  /** Inference's Predict, for security risks and refactoring suggestions; undefined: not shown. */
  quality?: QualitySource | undefined;
  /** Bug probability at or above which the conclusion is action_required (GitLab: failed). */
  threshold: number;
  /** Also write (and keep updated) a note on each GitLab merge request. */
  gitlabNotes: boolean;
  logger: Logger;
  onPublished?: (target: 'github' | 'gitlab', outcome: 'published' | 'updated' | 'unchanged' | 'skipped') => void;
}

/** A predictions.v1 record as a report; undefined for records that are not about a commit. */
export function reportOf(p: Prediction): RiskReport | undefined {
  if (p.entity_type !== 'commit' || p.bug_probability === null) return undefined;
  checkRepoId(p.repo_id, 'repo_id');
  if (!isFullSha(p.entity_id))
    throw new InvalidArgumentError('entity_id of a commit prediction must be a full sha', 'entity_id');
  const score = (name: string) => (typeof p.scores[name] === 'number' ? p.scores[name] : undefined);
  return {
    repoId: p.repo_id,
    sha: p.entity_id,
    modelName: p.model_name,
    modelVersion: p.model_version,
    bugProbability: p.bug_probability,
    complexityScore: score('complexity_score'),
    technicalDebtScore: score('technical_debt_score'),
    contributions: p.contributions,
    securityRisks: [],
    refactoringSuggestions: [],
    predictedAt: p.event_time,
  };
}

/** Commits a pull-request event names: its head and, when the producer knew them, all of them. */
function shasOf(pr: PullRequest): string[] {
  return [...new Set([pr.head_sha, ...pr.commit_shas])].filter(isFullSha);
}

export class Decorator {
  readonly #o: DecoratorOptions;

  constructor(o: DecoratorOptions) {
    this.#o = o;
  }

  async onPullRequest(pr: PullRequest): Promise<void> {
    checkRepoId(pr.repo_id, 'repo_id');
    if (pr.provider !== 'github' && pr.provider !== 'gitlab') return;
    const shas = shasOf(pr);
    if (pr.state !== 'open') {
      await this.#o.state.removeClosed(pr.repo_id, shas, pr.number);
      return;
    }
    const req: OpenRequest = { provider: pr.provider, repoName: pr.repo_name, number: pr.number };
    await this.#o.state.addOpen(pr.repo_id, shas, req);
    // Commits scored before the request was opened (or got new commits) are decorated now.
    for (const sha of shas) {
      const report = await this.#o.state.prediction(pr.repo_id, sha);
      if (report) await this.#publish(report, [req]);
    }
  }

  async onPrediction(p: Prediction): Promise<void> {
    const report = reportOf(p);
    if (!report) return;
    if (!(await this.#o.state.keepPrediction(report))) return;
    const open = await this.#o.state.openRequests(report.repoId, report.sha);
    if (open.length > 0) await this.#publish(report, open);
  }

  /**
   * The record's answer plus inference's findings for the commit. A failed call does not hold
   * up the decoration (the probability is what the check is for): it is published saying the
   * findings are missing and why, and marked incomplete so the next record redoes it.
   */
  async #withFindings(report: RiskReport): Promise<{ report: RiskReport; incomplete: boolean }> {
    if (!this.#o.quality)
      return { report: { ...report, findingsMissing: 'scm-checks runs without INFERENCE_ADDR' }, incomplete: false };
    try {
      const f = await this.#o.quality.quality(report);
      return {
        report: {
          ...report,
          complexityScore: report.complexityScore ?? f.complexityScore,
          technicalDebtScore: report.technicalDebtScore ?? f.technicalDebtScore,
          securityRisks: f.securityRisks,
          refactoringSuggestions: f.refactoringSuggestions,
        },
        incomplete: false,
      };
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'UNKNOWN';
      // No features for the commit is an answer that a retry will not change.
      const missing =
        code === 'NOT_FOUND' ? 'inference has no code metrics for this commit' : `inference did not answer (${code})`;
      this.#o.logger.warn({ err, repoId: report.repoId, sha: report.sha }, 'findings for the check not available');
      return { report: { ...report, findingsMissing: missing }, incomplete: code !== 'NOT_FOUND' };
    }
  }

  async #publish(record: RiskReport, open: readonly OpenRequest[]): Promise<void> {
    const { state } = this.#o;
    const github = open.filter((r) => r.provider === 'github');
    const gitlab = open.filter((r) => r.provider === 'gitlab');
    const targets = [
      ...(github.length > 0 && this.#o.github ? ['github'] : []),
      ...(this.#o.gitlab ? gitlab.map((mr) => `gitlab:${mr.number}`) : []),
    ];
    const published = new Map(
      await Promise.all(
        targets.map(async (target) => [target, await state.published(target, record.repoId, record.sha)] as const),
      ),
    );
    // Inference is asked only when something will be published.
    const due = [...published.values()].some((d) => supersedes(record, d));
    const { report, incomplete } = due ? await this.#withFindings(record) : { report: record, incomplete: false };
    const rendered = render(report, this.#o.threshold);
    if (github.length > 0) {
      const done = published.get('github');
      if (!this.#o.github) this.#count('github', 'skipped');
      else if (!supersedes(report, done)) this.#count('github', 'unchanged');
      else {
        const [owner, repo] = github[0]!.repoName.split('/') as [string, string];
        const id = await this.#o.github.publish({ owner, repo, sha: report.sha }, rendered, externalId(report));
        await state.setPublished('github', report.repoId, report.sha, {
          modelName: report.modelName,
          modelVersion: report.modelVersion,
          predictedAt: report.predictedAt,
          checkRunId: id,
          ...(incomplete ? { incomplete } : {}),
        });
        this.#count('github', done ? 'updated' : 'published');
      }
    }
    for (const mr of gitlab) {
      // The status is per commit, the note per merge request: one record per (commit, request).
      const target = `gitlab:${mr.number}`;
      const done = published.get(target);
      if (!this.#o.gitlab) this.#count('gitlab', 'skipped');
      else if (!supersedes(report, done)) this.#count('gitlab', 'unchanged');
      else {
        await this.#o.gitlab.status(mr.repoName, report.sha, rendered);
        const noteId = this.#o.gitlabNotes
          ? await this.#o.gitlab.note(
              { project: mr.repoName, iid: mr.number },
              noteBody(report, rendered),
              done?.noteId,
            )
          : undefined;
        await state.setPublished(target, report.repoId, report.sha, {
          modelName: report.modelName,
          modelVersion: report.modelVersion,
          predictedAt: report.predictedAt,
          ...(noteId !== undefined ? { noteId } : {}),
          ...(incomplete ? { incomplete } : {}),
        });
        this.#count('gitlab', done ? 'updated' : 'published');
      }
    }
  }

  #count(target: 'github' | 'gitlab', outcome: 'published' | 'updated' | 'unchanged' | 'skipped'): void {
    this.#o.onPublished?.(target, outcome);
    if (outcome === 'skipped') this.#o.logger.debug({ target }, 'no credentials for this SCM: nothing published');
  }
}
