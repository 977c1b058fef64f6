// How much per-repository state the featurizer keeps, and what it drops. Both stores (Redis and
// in-memory) apply these rules in the same atomic write, so they hold the same state.
//
// The redelivery window is a count of applied commits per repository, not a duration (an issue
// event's labels, kept under issue:<event_id>, take a place in it like a commit):
// - what it must cover is counted in records: a batch whose state was written but whose sinks
//   had not acknowledged it when the consumer died (at most FEATURIZER_BATCH_SIZE commits of a
//   repository, since commits are keyed, and so partitioned, by repository), plus whatever
//   replay margin the operator wants (a backfill overlapping webhook deliveries, an offset reset);
// - a count bounds memory per repository whatever its commit rate, and is deterministic: a
//   replay prunes exactly the same records as the first run, which wall-clock time would not.
// Kafka's retention is a duration; to cover an offset reset of T, size the window to the
// repository's commits in T.
//
// What leaves the window is only a commit's outputs (features, file metrics, findings, the
// labels it produced when applied): the bytes needed to re-emit identical rows. The compact
// commit record (seq, time, fix status, SZZ candidates, the fixes that blamed it, linked issues)
// stays for good, because later events read it at any distance: a bug issue may link a fix
// years old (processIssues needs `blamed` and the fix status), and SZZ may blame a line written
// at the start of the history (blameInducers needs `fix` and `inducedBy` of the blamed commit).
// Dropping it would also make a redelivered commit look new and count it twice.

import { InvalidArgumentError } from '@omen/errors';

export interface StateRetention {
  /**
   * Applied commits per repository whose outputs are kept, so that a redelivery re-emits them.
   * Must be at least the largest batch (FEATURIZER_BATCH_SIZE): a write never prunes what the
   * last commit write applied, whose sinks may not have acknowledged it yet.
   */
  commitOutputs: number;
  /** How long (processing time, ms) an issue's link to a commit that has not arrived is kept. */
  pendingMs: number;
  /**
   * Most records one write drops beyond the commits it applies, so a write stays short after
   * the window is lowered or many pending links expire together; the rest go in later writes.
   */
  sweepLimit: number;
}

/**
 * Stream positions (commits of the repository, merges included) a file version that a later
 * commit on its chain superseded stays stored, so a branch started from a commit up to that far
 * back still finds the blame its parent saw (dag.ts compactVersions). Versions a live branch
 * still sees are kept whatever their age; beyond this window a new branch from an old commit
 * finds the file's blame `pruned` (unknown: no SZZ candidates from it) rather than a wrong one.
 */
export const DEFAULT_BLAME_WINDOW = 100;

export const DEFAULT_RETENTION: StateRetention = {
  commitOutputs: 5000,
  pendingMs: 30 * 24 * 3600 * 1000,
  sweepLimit: 1000,
};

/** Records a write dropped, by namespace. */
export interface Pruned {
  outputs: number;
  pending: number;
}

/**
 * How many of the oldest entries of the outputs window a write drops, after it appended
 * `applied` commits to a window now `length` long. The commits it applies are never dropped
 * (even with a window smaller than the write), and at most `sweepLimit` more than it applies.
 */
export function outputsToPrune(
  length: number,
  applied: number,
  retention: Pick<StateRetention, 'commitOutputs' | 'sweepLimit'>,
): number {
  const keep = Math.max(retention.commitOutputs, applied);
  return Math.max(0, Math.min(length - keep, retention.sweepLimit + applied));
}

/** Pending links last added at or before this time (epoch ms) are dropped by a write at `now`. */
export function pendingCutoff(now: number, retention: Pick<StateRetention, 'pendingMs'>): number {
  return now - retention.pendingMs;
}

/** Refuses retention values that would break the stores' arithmetic, naming the field. */
export function checkRetention(r: StateRetention): StateRetention {
  const bounds = { commitOutputs: 1, pendingMs: 0, sweepLimit: 0 } as const;
  for (const [field, min] of Object.entries(bounds) as [keyof StateRetention, number][]) {
    if (!Number.isSafeInteger(r[field]) || r[field] < min)
      throw new InvalidArgumentError(`retention.${field} must be an integer >= ${min}, got ${r[field]}`, field);
  }
  return r;
}
