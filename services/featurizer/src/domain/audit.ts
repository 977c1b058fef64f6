// Completeness of one repository across the stages a commit passes (`./scripts/omen audit`):
// which commits each stage holds, compared with the reference order, as runs of missing commits.
// Pure: the audit script (../audit/cli.ts) gathers the sets from git, Kafka, ClickHouse and Redis.

/** A run of consecutive missing commits, in the reference order. */
export interface MissingRange {
  first: string;
  last: string;
  count: number;
}

export interface StageReport {
  stage: string;
  /** Commits of the repository this stage holds. */
  commits: number;
  /** Reference commits it lacks (the total of `ranges`). */
  missing: number;
  ranges: MissingRange[];
  /** Whether a miss here fails the audit (labels and predictions do not: not every commit gets one). */
  required: boolean;
  /** What the stage means or why it was not read. */
  note?: string;
}

export interface AuditReport {
  repo: string;
  /** Where the reference order came from: the source history, or the stages' own commits by time. */
  reference: 'source' | 'stages';
  /** Commits in the reference order. */
  commits: number;
  stages: StageReport[];
  /** Featurized commits whose history metrics were computed before one of their parents was applied. */
  onGap: { commits: number; ranges: MissingRange[] };
  /** Partitions of the commits topic where the log deleted records the featurizer's group had not read. */
  groupGaps: GroupGap[];
  /** True when a required stage misses a commit, a commit was featurized on a gap, or the featurizer lost records. */
  failed: boolean;
}

/**
 * Offsets [committed, logStart) of a partition the featurizer's group never read: deleted below
 * its position. Which repositories they held is unknown (the records are gone), so any repository
 * on the partition may miss commits — and while the featurizer stops there, none of them was
 * featurized past it, though its stages may look whole.
 */
export interface GroupGap {
  group: string;
  topic: string;
  partition: number;
  committed: string;
  logStart: string;
  lost: number;
}

/** The runs of `order` not in `present`, in order. */
export function missingRanges(order: readonly string[], present: ReadonlySet<string>): MissingRange[] {
  const ranges: MissingRange[] = [];
  let run: MissingRange | undefined;
  for (const sha of order) {
    if (present.has(sha)) {
      run = undefined;
      continue;
    }
    if (run) {
      run.last = sha;
      run.count++;
    } else {
      run = { first: sha, last: sha, count: 1 };
      ranges.push(run);
    }
  }
  return ranges;
}

/** Runs of `order` that are in `flagged` (the same shape as missing runs). */
export function flaggedRanges(order: readonly string[], flagged: ReadonlySet<string>): MissingRange[] {
  return missingRanges(order, new Set(order.filter((s) => !flagged.has(s))));
}

export interface StageInput {
  stage: string;
  /** The commits it holds; undefined when the stage could not be read or does not apply. */
  shas: ReadonlySet<string> | undefined;
  required: boolean;
  note?: string;
  /**
   * Judge the stage against this subset of the reference instead of all of it (a log whose
   * retention dropped its oldest records, predictions of featurized commits).
   */
  against?: ReadonlySet<string>;
}

export interface AuditInput {
  repo: string;
  /** The source history's commits in source order, when a source was given. */
  source?: readonly string[];
  stages: readonly StageInput[];
  /** Commit time per sha (from any stage), ordering the reference when there is no source. */
  times: ReadonlyMap<string, number>;
  /** Commits the featurizer applied before one of their parents. */
  onGap: ReadonlySet<string>;
  /** @default [] */
  groupGaps?: readonly GroupGap[];
}

/**
 * Reference order: the source's order when given; otherwise every commit some stage holds,
 * oldest first (ties by sha), so a commit that reached one stage and not the next shows up.
 */
export function referenceOrder(input: Pick<AuditInput, 'source' | 'stages' | 'times'>): string[] {
  if (input.source) return [...input.source];
  const all = new Set<string>();
  for (const s of input.stages) for (const sha of s.shas ?? []) all.add(sha);
  const t = (sha: string): number => input.times.get(sha) ?? Number.MAX_SAFE_INTEGER;
  return [...all].sort((a, b) => t(a) - t(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function audit(input: AuditInput): AuditReport {
  const order = referenceOrder(input);
  const stages: StageReport[] = input.stages.map((s) => {
    if (s.shas === undefined)
      return {
        stage: s.stage,
        commits: 0,
        missing: 0,
        ranges: [],
        required: false,
        ...(s.note ? { note: s.note } : {}),
      };
    const judged = s.against ? order.filter((sha) => s.against!.has(sha)) : order;
    const ranges = missingRanges(judged, s.shas);
    return {
      stage: s.stage,
      commits: s.shas.size,
      missing: ranges.reduce((n, r) => n + r.count, 0),
      ranges,
      required: s.required,
      ...(s.note ? { note: s.note } : {}),
    };
  });
  const gapOrder = order.filter((sha) => input.onGap.has(sha));
  const onGap = { commits: input.onGap.size, ranges: flaggedRanges(order, input.onGap) };
  // A flagged commit outside the reference still counts (a stage-less flag is still a wrong metric).
  if (gapOrder.length < input.onGap.size)
    onGap.ranges.push(
      ...[...input.onGap].filter((s) => !order.includes(s)).map((s) => ({ first: s, last: s, count: 1 })),
    );
  const groupGaps = [...(input.groupGaps ?? [])];
  const failed = stages.some((s) => s.required && s.missing > 0) || onGap.commits > 0 || groupGaps.length > 0;
  return {
    repo: input.repo,
    reference: input.source ? 'source' : 'stages',
    commits: order.length,
    stages,
    onGap,
    groupGaps,
    failed,
  };
}

const short = (sha: string): string => sha.slice(0, 12);

/** The report for a terminal: one line per stage, then its missing runs (at most `maxRanges` each). */
export function formatAudit(r: AuditReport, maxRanges = 20): string {
  const lines = [
    `audit of ${r.repo}: ${r.commits} commits in the reference (${r.reference === 'source' ? 'source history order' : "every stage's commits by commit time"})`,
  ];
  const width = Math.max(...r.stages.map((s) => s.stage.length), 'on a gap'.length);
  const runs = (ranges: readonly MissingRange[]): void => {
    for (const g of ranges.slice(0, maxRanges))
      lines.push(`      ${g.count === 1 ? short(g.first) : `${short(g.first)}..${short(g.last)}`}  (${g.count})`);
    if (ranges.length > maxRanges) lines.push(`      … ${ranges.length - maxRanges} more runs (--json lists all)`);
  };
  for (const s of r.stages) {
    const status = s.missing === 0 ? 'ok' : s.required ? 'MISSING' : 'missing (informational)';
    lines.push(
      `  ${s.stage.padEnd(width)}  ${String(s.commits).padStart(7)} commits  ${s.missing > 0 ? `${s.missing} missing in ${s.ranges.length} runs  ` : ''}${status}${s.note ? `  — ${s.note}` : ''}`,
    );
    runs(s.ranges);
  }
  lines.push(
    `  ${'on a gap'.padEnd(width)}  ${String(r.onGap.commits).padStart(7)} commits  ${r.onGap.commits > 0 ? 'HISTORY METRICS COMPUTED ON A GAP' : 'ok'}`,
  );
  runs(r.onGap.ranges);
  for (const g of r.groupGaps) {
    lines.push(
      `  LOST: offsets ${g.committed}..${BigInt(g.logStart) - 1n} of ${g.topic}/${g.partition} (${g.lost} records) were deleted before group "${g.group}" read them; any repository there may miss commits`,
    );
  }
  lines.push(r.failed ? 'INCOMPLETE: see README "When commits were lost" for the way back' : 'complete');
  return lines.join('\n');
}
