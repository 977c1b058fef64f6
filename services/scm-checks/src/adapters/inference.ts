// Security risks, refactoring suggestions and the quality scores of a commit, from inference's
// Predict. predictions.v1 does not carry them, on purpose: stream mode scores the change-metrics
// record alone, while these come from the commit's code metrics (code_metrics@v1 and the per-file
// rows) that inference reads from the online store when asked about a commit. Asking Predict for
// the commit under the record's own model version gives the pull request exactly the answer a
// client of Predict or POST /v1/analyze gets, and costs one call per decorated commit (only
// commits in open requests), mostly answered from inference's prediction cache.
import { inferenceClient, type inferenceV1 } from '@omen/contracts';
import type { QualityFindings, RiskReport } from '../domain/summary.ts';

export interface QualitySource {
  /** The commit's quality findings; throws inference's error (an OmenError with its code). */
  quality(
    report: Pick<RiskReport, 'repoId' | 'sha' | 'modelName' | 'modelVersion'>,
    signal?: AbortSignal,
  ): Promise<QualityFindings>;
  close(): void;
}

function findingsOf(r: inferenceV1.PredictResponse__Output): QualityFindings {
  // proto3 optional doubles: absent when the rules had no metrics for them (never a made-up 0);
  // with `defaults`, an absent one reads 0, so presence is its synthetic oneof's name.
  return {
    complexityScore: r._complexity_score === 'complexity_score' ? Number(r.complexity_score) : undefined,
    technicalDebtScore: r._technical_debt_score === 'technical_debt_score' ? Number(r.technical_debt_score) : undefined,
    securityRisks: (r.security_risks ?? []).map((s) => ({
      category: s.category ?? '',
      path: s.path ?? '',
      score: Number(s.score ?? 0),
      description: s.description ?? '',
    })),
    refactoringSuggestions: (r.refactoring_suggestions ?? []).map((s) => ({
      path: s.path ?? '',
      kind: s.kind ?? '',
      message: s.message ?? '',
      priority: Number(s.priority ?? 0),
    })),
  };
}

/** Predict over gRPC (INFERENCE_ADDR, bearer INFERENCE_TOKEN), through @omen/contracts' inference client. */
export function inferenceQuality(
  address: string,
  options: { token?: { reveal(): string } | undefined; deadlineMs: number },
): QualitySource {
  const client = inferenceClient(address, options);
  const predict = (report: Pick<RiskReport, 'repoId' | 'sha' | 'modelName'>, version: string, signal?: AbortSignal) =>
    client.predict(
      {
        model_name: report.modelName,
        model_version: version,
        top_k: 0,
        commit: { repo_id: report.repoId, sha: report.sha },
      },
      signal ? { signal } : {},
    );
  return {
    async quality(report, signal) {
      try {
        return findingsOf(await predict(report, report.modelVersion, signal));
      } catch (err) {
        // A version inference no longer serves: the findings come from the commit's code metrics
        // (rules, not the model) unless a model predicts them itself, so the production version's
        // answer is the same for them.
        if ((err as { code?: string }).code !== 'NOT_FOUND' || report.modelVersion === '') throw err;
        return findingsOf(await predict(report, '', signal));
      }
    },
    close: () => client.close(),
  };
}
