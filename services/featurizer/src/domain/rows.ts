// The rows one processed commit sends to every sink. Built once, here, so Kafka, ClickHouse and
// Redis carry the same values (no skew between what training reads and what serving reads).

import { codeFileMetricsV1, codeMetricsV1, jitChangeMetricsV1 } from '@omen/features';
import type { FeatureSet } from '@omen/features';
import type { CommitInput } from './commit.ts';
import type { CommitOutputs, SecurityFinding } from './history.ts';
import type { CommitLabel } from './labels.ts';

/** One features.commits.v1 record (schemas/commit_features.avsc). */
export interface FeatureRow {
  event_id: string;
  event_time: number;
  repo_id: string;
  sha: string;
  feature_set: string;
  feature_set_version: number;
  values: Record<string, number>;
  file_metrics: { path: string; values: Record<string, number> }[] | null;
  computed_at: number;
}

export interface FindingRow extends SecurityFinding {
  repo_id: string;
  sha: string;
  event_time: number;
  computed_at: number;
}

export interface CommitRows {
  features: FeatureRow[];
  labels: CommitLabel[];
  findings: FindingRow[];
}

/** Feature sets every row of a commit is written under; per-file metrics ride on code_metrics. */
export const commitFeatureSets: readonly FeatureSet[] = [jitChangeMetricsV1, codeMetricsV1];
export const fileFeatureSet: FeatureSet = codeFileMetricsV1;

export function featureEventId(repoId: string, sha: string, set: Pick<FeatureSet, 'name' | 'version'>): string {
  return `${repoId}:${sha}:${set.name}:${set.version}`;
}

function featureRow(
  commit: CommitInput,
  set: FeatureSet,
  values: Record<string, number>,
  outputs: CommitOutputs,
  files: FeatureRow['file_metrics'],
): FeatureRow {
  return {
    event_id: featureEventId(commit.repo_id, commit.sha, set),
    event_time: commit.commit_time,
    repo_id: commit.repo_id,
    sha: commit.sha,
    feature_set: set.name,
    feature_set_version: set.version,
    values,
    file_metrics: files,
    computed_at: outputs.computedAt,
  };
}

/** Every row a processed (or replayed) commit produces. */
export function commitRows(commit: CommitInput, outputs: CommitOutputs): CommitRows {
  const features = [featureRow(commit, jitChangeMetricsV1, outputs.jit, outputs, null)];
  if (outputs.code) features.push(featureRow(commit, codeMetricsV1, outputs.code, outputs, outputs.fileMetrics ?? []));
  return {
    features,
    labels: outputs.labels,
    findings: outputs.findings.map((f) => ({
      ...f,
      repo_id: commit.repo_id,
      sha: commit.sha,
      event_time: commit.commit_time,
      computed_at: outputs.computedAt,
    })),
  };
}
