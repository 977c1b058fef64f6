import type { HistoryStore, Namespace, RecordMaps, RecordRequest, RepoSnapshot, RepoWrite } from './history.ts';
import { emptyRecordMaps, namespaces } from './history.ts';
import type { Pruned, StateRetention } from './retention.ts';
import { DEFAULT_RETENTION, checkRetention, outputsToPrune, pendingCutoff } from './retention.ts';

interface RepoState {
  version: number;
  seq: number;
  records: RecordMaps;
  /** Shas whose outputs are kept, oldest first (the Redis store's `window` list). */
  window: string[];
  /** Pending sha → when an issue last added a link to it (the Redis store's `pending_at`). */
  pendingAt: Map<string, number>;
}

export interface InMemoryHistoryStoreOptions {
  /** @default DEFAULT_RETENTION */
  retention?: Partial<StateRetention>;
  /** Told what each write dropped (only when it dropped something). */
  onPrune?: (pruned: Pruned) => void;
}

/**
 * HistoryStore in process memory: for unit tests and single-process tools (replays, the
 * bench's domain-only figure). Records are cloned in and out, as a networked store would
 * serialise them, so code that mutated a loaded record would be caught by tests. Retention
 * follows the same rules as the Redis store, so both hold the same records.
 */
export class InMemoryHistoryStore implements HistoryStore {
  readonly #repos = new Map<string, RepoState>();
  readonly #retention: StateRetention;
  readonly #onPrune: ((pruned: Pruned) => void) | undefined;
  /** Writes accepted, for tests that check batching. */
  writes = 0;

  constructor(options: InMemoryHistoryStoreOptions = {}) {
    this.#retention = checkRetention({ ...DEFAULT_RETENTION, ...options.retention });
    this.#onPrune = options.onPrune;
  }

  #repo(repoId: string): RepoState {
    let r = this.#repos.get(repoId);
    if (!r) {
      r = { version: 0, seq: 0, records: emptyRecordMaps(), window: [], pendingAt: new Map() };
      this.#repos.set(repoId, r);
    }
    return r;
  }

  load(repoId: string, request: RecordRequest): Promise<RepoSnapshot> {
    const r = this.#repo(repoId);
    const records = emptyRecordMaps();
    for (const ns of namespaces) {
      const from = r.records[ns] as Map<string, unknown>;
      const into = records[ns] as Map<string, unknown>;
      for (const k of request[ns] ?? []) {
        const v = from.get(k);
        if (v !== undefined) into.set(k, structuredClone(v));
      }
    }
    return Promise.resolve({ version: r.version, seq: r.seq, records });
  }

  write(repoId: string, w: RepoWrite): Promise<boolean> {
    const r = this.#repo(repoId);
    if (r.version !== w.expectedVersion) return Promise.resolve(false);
    for (const ns of namespaces) {
      const into = r.records[ns] as Map<string, unknown>;
      for (const [k, v] of w.changes[ns] as Map<string, unknown>) {
        if (v === null) into.delete(k);
        else into.set(k, structuredClone(v));
        if (ns !== 'pending') continue;
        if (v === null) r.pendingAt.delete(k);
        else r.pendingAt.set(k, w.now);
      }
    }
    r.seq = w.seq;
    r.version += 1;
    this.writes += 1;
    this.#prune(r, w);
    return Promise.resolve(true);
  }

  #prune(r: RepoState, w: RepoWrite): void {
    const pruned: Pruned = { outputs: 0, pending: 0 };
    r.window.push(...w.applied);
    for (const sha of r.window.splice(0, outputsToPrune(r.window.length, w.applied.length, this.#retention))) {
      if (r.records.outputs.delete(sha)) pruned.outputs += 1;
    }
    const cutoff = pendingCutoff(w.now, this.#retention);
    // Oldest first, as the Redis sorted set hands them out (ties by sha).
    const expired = [...r.pendingAt]
      .filter(([, at]) => at <= cutoff)
      .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, this.#retention.sweepLimit);
    for (const [sha] of expired) {
      r.pendingAt.delete(sha);
      if (r.records.pending.delete(sha)) pruned.pending += 1;
    }
    if (pruned.outputs + pruned.pending > 0) this.#onPrune?.(pruned);
  }

  /** The current record of a key, for assertions. */
  peek<N extends Namespace>(
    repoId: string,
    ns: N,
    key: string,
  ): RecordMaps[N] extends Map<string, infer V> ? V | undefined : never {
    return this.#repos.get(repoId)?.records[ns].get(key) as never;
  }

  /** Keys present in a namespace, for assertions. */
  keys(repoId: string, ns: Namespace): string[] {
    return [...(this.#repos.get(repoId)?.records[ns].keys() ?? [])].sort();
  }

  /** Shas whose outputs the redelivery window holds, oldest first, for assertions. */
  window(repoId: string): string[] {
    return [...(this.#repos.get(repoId)?.window ?? [])];
  }
}
