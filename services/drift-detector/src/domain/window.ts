// Tumbling event-time windows per (model, serving version, repo) and per (model, version, "*").
// A window [start, start + windowMs) is handed out for evaluation once the model's watermark —
// the latest event time it has seen — passes its end by the allowed lateness; records that
// arrive for a window already handed out are "late" and only counted. Redelivered records (the
// consumers are at-least-once) are recognized by event id within a window and counted once.
import type { FeatureSetRef, ReferenceStatistics } from '@omen/model-registry';

/** The training reference one window is compared against: the serving version's statistics. */
export interface Reference {
  model: string;
  version: string;
  featureSet: FeatureSetRef;
  stats: ReferenceStatistics;
}

export const ALL_REPOS = '*';

export type Observation =
  | { kind: 'features'; eventId: string; eventTime: number; repo: string; values: Record<string, number> }
  | { kind: 'prediction'; eventId: string; eventTime: number; repo: string; value: number }
  | { kind: 'label'; eventId: string; eventTime: number; repo: string; positive: boolean };

/**
 * A uniform sample of at most `max` values (Vitter's algorithm R): memory stays bounded on a
 * busy window while every observation had the same chance to be kept. `count` is every value seen.
 */
export class Reservoir {
  readonly values: number[] = [];
  count = 0;
  readonly #max: number;
  readonly #random: () => number;

  constructor(max: number, random: () => number) {
    this.#max = max;
    this.#random = random;
  }

  add(v: number): void {
    this.count += 1;
    if (this.values.length < this.#max) {
      this.values.push(v);
      return;
    }
    const j = Math.floor(this.#random() * this.count);
    if (j < this.#max) this.values[j] = v;
  }
}

export interface WindowState {
  model: string;
  version: string;
  repo: string;
  start: number;
  end: number;
  reference: Reference;
  features: Map<string, Reservoir>;
  predictions: Reservoir;
  labels: { positive: number; total: number };
  /** Event ids counted here, per kind (a features record and its prediction share no id space). */
  seen: Set<string>;
  /**
   * Called once the window has been reported (or evaluated with too few observations): one per
   * record counted here, redeliveries included — the consumer commits a record only then.
   */
  onReported: Array<() => void>;
}

export interface WindowOptions {
  windowMs: number;
  latenessMs: number;
  maxSamples: number;
  /** @default Math.random */
  random?: () => number;
}

export type AddOutcome = 'added' | 'duplicate' | 'late';

/** The open windows of one watched model. */
export class ModelWindows {
  readonly #open = new Map<string, WindowState>();
  #watermark = -Infinity;
  readonly #random: () => number;
  readonly #options: WindowOptions;

  constructor(
    readonly model: string,
    options: WindowOptions,
  ) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  /** Start of the window holding `t` (windows are aligned on the epoch). */
  windowStart(t: number): number {
    return Math.floor(t / this.#options.windowMs) * this.#options.windowMs;
  }

  /** The latest event time seen; -Infinity before the first record. */
  get eventTime(): number {
    return this.#watermark;
  }

  #isClosed(end: number): boolean {
    return end + this.#options.latenessMs <= this.#watermark;
  }

  /**
   * Counts one observation into its repo's window and the all-repos window; `into` sees each
   * window the observation is in, whether counted now or before (a redelivery).
   */
  add(reference: Reference, obs: Observation, into?: (w: WindowState) => void): AddOutcome {
    const start = this.windowStart(obs.eventTime);
    const end = start + this.#options.windowMs;
    if (this.#isClosed(end)) return 'late';
    let outcome: AddOutcome = 'duplicate';
    for (const repo of obs.repo === ALL_REPOS ? [ALL_REPOS] : [obs.repo, ALL_REPOS]) {
      const w = this.#windowFor(reference, repo, start, end);
      const id = `${obs.kind}\u0000${obs.eventId}`;
      into?.(w);
      if (w.seen.has(id)) continue;
      w.seen.add(id);
      outcome = 'added';
      if (obs.kind === 'features') {
        for (const [name, v] of Object.entries(obs.values)) {
          if (!Number.isFinite(v)) continue;
          let r = w.features.get(name);
          if (!r) w.features.set(name, (r = new Reservoir(this.#options.maxSamples, this.#random)));
          r.add(v);
        }
      } else if (obs.kind === 'prediction') {
        if (Number.isFinite(obs.value)) w.predictions.add(obs.value);
      } else {
        w.labels.total += 1;
        if (obs.positive) w.labels.positive += 1;
      }
    }
    this.#watermark = Math.max(this.#watermark, obs.eventTime);
    return outcome;
  }

  #windowFor(reference: Reference, repo: string, start: number, end: number): WindowState {
    // The version is part of the key: a promotion mid-window starts fresh windows compared
    // against the new champion's reference, and the old version's windows still close as usual.
    const key = `${reference.version}\u0000${repo}\u0000${start}`;
    let w = this.#open.get(key);
    if (!w) {
      w = {
        model: this.model,
        version: reference.version,
        repo,
        start,
        end,
        reference,
        features: new Map(),
        predictions: new Reservoir(this.#options.maxSamples, this.#random),
        labels: { positive: 0, total: 0 },
        seen: new Set(),
        onReported: [],
      };
      this.#open.set(key, w);
    }
    return w;
  }

  /**
   * Moves the watermark so that windows ending at or before `end` count as closed: after a
   * restart, records replayed for a window reported before it are late, not a second report.
   */
  closedThrough(end: number): void {
    this.#watermark = Math.max(this.#watermark, end + this.#options.latenessMs);
  }

  /** Removes and returns the windows the watermark has closed, oldest first. */
  takeClosed(): WindowState[] {
    const closed: WindowState[] = [];
    for (const [key, w] of this.#open) {
      if (!this.#isClosed(w.end)) continue;
      closed.push(w);
      this.#open.delete(key);
    }
    return closed.sort((a, b) => a.end - b.end || a.repo.localeCompare(b.repo));
  }

  /**
   * Closes every open window now, as if event time had passed them (a stream gone quiet); the
   * watermark moves to the latest end so that stragglers for them count as late.
   */
  takeAll(): WindowState[] {
    for (const w of this.#open.values()) this.#watermark = Math.max(this.#watermark, w.end + this.#options.latenessMs);
    return this.takeClosed();
  }

  /** Open windows (for the gauge and for tests). */
  openWindows(): number {
    return this.#open.size;
  }
}
