// One batch's transaction over a repository's state: a snapshot read from the HistoryStore with
// the batch's changes laid over it, missing keys loaded on demand at the same version, and the
// retry when another writer moved the state between read and write (the conditional write in
// processor.ts fails, or a lazy load sees a newer version).
import { AbortedError } from '@omen/errors';
import type {
  DeveloperHistory,
  FileHistory,
  HistoryStore,
  HistoryView,
  Namespace,
  RecordRequest,
  RepoRecords,
  RepoSnapshot,
} from './history.ts';
import { emptyChanges, namespaces } from './history.ts';

export class VersionMoved extends Error {}

/** A repository snapshot with this batch's changes laid over it; loads missing keys lazily. */
export class RepoOverlay implements HistoryView {
  seq: number;
  readonly changes = emptyChanges();
  /** Shas applied in this batch, in order (they enter the store's redelivery window). */
  readonly applied: string[] = [];
  readonly #asked: Record<Namespace, Set<string>>;
  readonly #store: HistoryStore;
  readonly #repoId: string;
  readonly #snapshot: RepoSnapshot;

  constructor(store: HistoryStore, repoId: string, snapshot: RepoSnapshot, request: RecordRequest) {
    this.#store = store;
    this.#repoId = repoId;
    this.#snapshot = snapshot;
    this.seq = snapshot.seq;
    this.#asked = Object.fromEntries(namespaces.map((ns) => [ns, new Set(request[ns] ?? [])])) as Record<
      Namespace,
      Set<string>
    >;
  }

  get version(): number {
    return this.#snapshot.version;
  }

  get<N extends Namespace>(ns: N, key: string): RepoRecords[N] | undefined {
    const mine = this.changes[ns] as Map<string, RepoRecords[N] | null>;
    if (mine.has(key)) return mine.get(key) ?? undefined;
    return (this.#snapshot.records[ns] as Map<string, RepoRecords[N]>).get(key);
  }

  set<N extends Namespace>(ns: N, key: string, value: RepoRecords[N] | null): void {
    (this.changes[ns] as Map<string, RepoRecords[N] | null>).set(key, value);
  }

  /** Loads keys not read yet; the repository must still be at the snapshot's version. */
  async ensure(request: RecordRequest): Promise<void> {
    const missing: RecordRequest = {};
    let any = false;
    for (const ns of namespaces) {
      // A key this batch wrote is answered by its change whatever the store holds: reading it
      // would be a store round trip per version the batch made (most blame reads of a batch).
      const mine = this.changes[ns];
      const keys = (request[ns] ?? []).filter((k) => !this.#asked[ns].has(k) && !mine.has(k));
      if (keys.length === 0) continue;
      for (const k of keys) this.#asked[ns].add(k);
      missing[ns] = keys;
      any = true;
    }
    if (!any) return;
    const more = await this.#store.load(this.#repoId, missing);
    if (more.version !== this.#snapshot.version) throw new VersionMoved();
    for (const ns of namespaces) {
      const into = this.#snapshot.records[ns] as Map<string, unknown>;
      for (const [k, v] of more.records[ns] as Map<string, unknown>) into.set(k, v);
    }
  }

  file(path: string): FileHistory | undefined {
    return this.get('file', path);
  }

  developer(authorId: string): DeveloperHistory | undefined {
    return this.get('dev', authorId);
  }
}

/** Runs `attempt` until it returns a result, again while the state moved under it (undefined, or VersionMoved). */
export async function withRetries<T>(
  repoId: string,
  maxAttempts: number,
  attempt: () => Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < maxAttempts; i++) {
    try {
      const r = await attempt();
      if (r !== undefined) return r;
    } catch (err) {
      if (!(err instanceof VersionMoved)) throw err;
    }
  }
  throw new AbortedError(
    `state of ${repoId} kept changing under ${maxAttempts} attempts; another instance is writing the same repository`,
    { repoId },
  );
}

export function hasChanges(overlay: RepoOverlay): boolean {
  return namespaces.some((ns) => overlay.changes[ns].size > 0);
}
