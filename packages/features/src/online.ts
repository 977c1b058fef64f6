/**
 * The online feature store's layout in Redis, the contract between its one writer (the
 * featurizer) and its readers (inference): one hash per commit, `<prefix>:{<repo_id>}:<sha>`,
 * one field per feature set, `<feature_set>@v<version>` (featureSetId) → JSON of
 * `OnlineFeatures`. The `{repo_id}` hash tag keeps one repository's keys in one Redis Cluster slot.
 */

/** What one feature set of one commit holds online. */
export interface OnlineFeatures {
  values: Record<string, number>;
  /** Per-file code metrics when the commit carried diffs; null for numstat-only events. */
  file_metrics: { path: string; values: Record<string, number> }[] | null;
  /** Epoch ms the featurizer computed the values. */
  computed_at: number;
  /** Epoch ms of the commit. */
  event_time: number;
}

/** @default prefix of the online feature keys */
export const ONLINE_FEATURES_PREFIX = 'omen:features';

/** `{<repo_id>}` with braces inside the id replaced, so the tag is always the whole id. */
export function repoHashTag(repoId: string): string {
  return `{${repoId.replace(/[{}]/g, '_')}}`;
}

/** The Redis key of one commit's online features. */
export function onlineFeaturesKey(repoId: string, sha: string, prefix: string = ONLINE_FEATURES_PREFIX): string {
  return `${prefix}:${repoHashTag(repoId)}:${sha}`;
}
