import type { AppliedCommit, DeveloperHistory, FileHistory, HistoryRequest, HistorySnapshot, HistoryStore, HistoryWrite } from './history.ts';

interface RepoHistory {
  version: number;
  seq: number;
  files: Map<string, FileHistory>;
  developers: Map<string, DeveloperHistory>;
  applied: Map<string, AppliedCommit>;
}

/**
 * HistoryStore in process memory: for unit tests and single-process tools (replays, the
 * bench's domain-only figure). Records are cloned in and out, as a networked store would
 * serialise them, so a caller that mutated a loaded record would be caught by tests.
 */
export class InMemoryHistoryStore implements HistoryStore {
  readonly #repos = new Map<string, RepoHistory>();
  /** Writes accepted, for tests that check batching. */
  writes = 0;

  #repo(repoId: string): RepoHistory {
    let r = this.#repos.get(repoId);
    if (!r) {
      r = { version: 0, seq: 0, files: new Map(), developers: new Map(), applied: new Map() };
      this.#repos.set(repoId, r);
    }
    return r;
  }

  load(repoId: string, request: HistoryRequest): Promise<HistorySnapshot> {
    const r = this.#repo(repoId);
    const pick = <T>(from: Map<string, T>, keys: readonly string[]): Map<string, T> => {
      const out = new Map<string, T>();
      for (const k of keys) {
        const v = from.get(k);
        if (v !== undefined) out.set(k, structuredClone(v));
      }
      return out;
    };
    return Promise.resolve({
      version: r.version,
      seq: r.seq,
      files: pick(r.files, request.paths),
      developers: pick(r.developers, request.developers),
      applied: pick(r.applied, request.shas),
    });
  }

  write(repoId: string, w: HistoryWrite): Promise<boolean> {
    const r = this.#repo(repoId);
    if (r.version !== w.expectedVersion) return Promise.resolve(false);
    for (const [path, record] of w.files) {
      if (record === null) r.files.delete(path);
      else r.files.set(path, structuredClone(record));
    }
    for (const [id, record] of w.developers) r.developers.set(id, structuredClone(record));
    for (const [sha, a] of w.applied) r.applied.set(sha, structuredClone(a));
    r.seq = w.seq;
    r.version += 1;
    this.writes += 1;
    return Promise.resolve(true);
  }

  /** The current record of a path, for assertions. */
  peekFile(repoId: string, path: string): FileHistory | undefined {
    return this.#repos.get(repoId)?.files.get(path);
  }

  /** Paths with history, for assertions. */
  paths(repoId: string): string[] {
    return [...(this.#repos.get(repoId)?.files.keys() ?? [])].sort();
  }
}
