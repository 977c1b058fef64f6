import type { HistoryStore, Namespace, RecordMaps, RecordRequest, RepoSnapshot, RepoWrite } from './history.ts';
import { emptyRecordMaps, namespaces } from './history.ts';

interface RepoState {
  version: number;
  seq: number;
  records: RecordMaps;
}

/**
 * HistoryStore in process memory: for unit tests and single-process tools (replays, the
 * bench's domain-only figure). Records are cloned in and out, as a networked store would
 * serialise them, so code that mutated a loaded record would be caught by tests.
 */
export class InMemoryHistoryStore implements HistoryStore {
  readonly #repos = new Map<string, RepoState>();
  /** Writes accepted, for tests that check batching. */
  writes = 0;

  #repo(repoId: string): RepoState {
    let r = this.#repos.get(repoId);
    if (!r) {
      r = { version: 0, seq: 0, records: emptyRecordMaps() };
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
      }
    }
    r.seq = w.seq;
    r.version += 1;
    this.writes += 1;
    return Promise.resolve(true);
  }

  /** The current record of a key, for assertions. */
  peek<N extends Namespace>(repoId: string, ns: N, key: string): RecordMaps[N] extends Map<string, infer V> ? V | undefined : never {
    return this.#repos.get(repoId)?.records[ns].get(key) as never;
  }

  /** Keys present in a namespace, for assertions. */
  keys(repoId: string, ns: Namespace): string[] {
    return [...(this.#repos.get(repoId)?.records[ns].keys() ?? [])].sort();
  }
}
