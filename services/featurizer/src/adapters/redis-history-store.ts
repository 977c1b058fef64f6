// The featurizer's per-repository state in Redis, so a restarted or rebalanced instance
// continues where the last one stopped.
//
// Layout, per repository (`{repo}` is a Redis Cluster hash tag: all of a repository's keys live
// in one slot, which the atomic write needs):
//   <prefix>:{<repo_id>}:meta            hash  version (write counter), seq (commits in the history)
//   <prefix>:{<repo_id>}:<namespace>     hash  key -> JSON record, namespaces:
//       file     path -> FileHistory        dev      author id -> DeveloperHistory
//       lines    path -> FileLines (blame)  commit   sha -> CommitRecord (applied commits, compact)
//       outputs  sha -> CommitOutputs       issue    number -> IssueRecord
//       pending  sha -> issue numbers waiting for the commit
//   <prefix>:{<repo_id>}:window          list  shas whose outputs are kept, oldest first
//   <prefix>:{<repo_id>}:pending_at      zset  pending sha, scored by when an issue last linked it
// Reads of one batch run in one MULTI (a consistent snapshot); the batch's changes are applied
// by one Lua script that first checks `version`, so the write is atomic and conditional. The
// same script drops what the retention (../domain/retention.ts) no longer covers: the outputs
// of commits that left the window, and pending links older than the bound.

import type { RedisClient } from '@omen/service';
import { UnavailableError } from '@omen/errors';
import type {
  CommitRecord,
  HistoryStore,
  IssueRecord,
  LegacyCommitRecord,
  Namespace,
  RecordRequest,
  RepoSnapshot,
  RepoWrite,
} from '../domain/history.ts';
import { emptyRecordMaps, namespaces } from '../domain/history.ts';
import type { Pruned, StateRetention } from '../domain/retention.ts';
import { DEFAULT_RETENTION, checkRetention, pendingCutoff } from '../domain/retention.ts';

// KEYS: meta, the namespaces in `namespaces` order, window, pending_at.
// ARGV: version, seq, now, keep (window), cutoff (pending), sweep limit, index of the pending
// hash in KEYS, index of the outputs hash, applied count, applied shas, then per namespace a
// count and (field, value) pairs; an empty value deletes. Mirrors outputsToPrune and the
// in-memory store's #prune; returns {outputs pruned, pending pruned} or 0 on a version conflict.
const WRITE_SCRIPT = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
local now = ARGV[3]
local keep = tonumber(ARGV[4])
local cutoff = ARGV[5]
local limit = tonumber(ARGV[6])
local pendingKey = tonumber(ARGV[7])
local outputsKey = tonumber(ARGV[8])
local windowKey = KEYS[#KEYS - 1]
local pendingAt = KEYS[#KEYS]
local applied = tonumber(ARGV[9])
local i = 10
for j = 1, applied do
  redis.call('RPUSH', windowKey, ARGV[i])
  i = i + 1
end
for k = 2, #KEYS - 2 do
  local n = tonumber(ARGV[i])
  i = i + 1
  for j = 1, n do
    local field = ARGV[i]
    local value = ARGV[i + 1]
    i = i + 2
    if value == '' then
      redis.call('HDEL', KEYS[k], field)
      if k == pendingKey then redis.call('ZREM', pendingAt, field) end
    else
      redis.call('HSET', KEYS[k], field, value)
      if k == pendingKey then redis.call('ZADD', pendingAt, now, field) end
    end
  end
end
redis.call('HSET', KEYS[1], 'version', v + 1, 'seq', ARGV[2])
local prunedOutputs = 0
local excess = math.min(redis.call('LLEN', windowKey) - math.max(keep, applied), limit + applied)
if excess > 0 then
  for _, sha in ipairs(redis.call('LPOP', windowKey, excess)) do
    prunedOutputs = prunedOutputs + redis.call('HDEL', KEYS[outputsKey], sha)
  end
end
local prunedPending = 0
if limit > 0 then
  for _, sha in ipairs(redis.call('ZRANGEBYSCORE', pendingAt, '-inf', cutoff, 'LIMIT', 0, limit)) do
    redis.call('ZREM', pendingAt, sha)
    prunedPending = prunedPending + redis.call('HDEL', KEYS[pendingKey], sha)
  end
end
return {prunedOutputs, prunedPending}
`;

export interface RedisHistoryStoreOptions {
  /**
   * Key prefix.
   * @default 'omen:featurizer'
   */
  prefix?: string;
  /** @default DEFAULT_RETENTION */
  retention?: Partial<StateRetention>;
  /** Told what each write dropped (only when it dropped something): the pruning metric. */
  onPrune?: (pruned: Pruned) => void;
}

type WithWrite = RedisClient & {
  featurizerWrite(numKeys: number, ...args: (string | number)[]): Promise<0 | [number, number]>;
};

// The commit record is the one record kept per commit for good, so its size is the state's
// growth per commit: fields at their default (false, {}) are left out of the JSON (about 90 of
// 130 bytes for a numstat commit) and restored on read.
const DEFAULTED = new Set(['fix', 'fixByMessage', 'fullyBlamed', 'blamed', 'inducedBy', 'fixesIssues']);
// `gap` is written only when true (processor.ts), so it needs no default here.

function encodeCommit(rec: CommitRecord): string {
  const out: Record<string, unknown> = {};
  const fields: [string, unknown][] = Object.entries(rec);
  for (const [k, v] of fields) {
    const isDefault =
      DEFAULTED.has(k) && (v === false || (typeof v === 'object' && v !== null && Object.keys(v).length === 0));
    if (!isDefault) out[k] = v;
  }
  return JSON.stringify(out);
}

function decodeCommit(json: string): CommitRecord {
  const stored = JSON.parse(json) as Partial<LegacyCommitRecord>;
  const defaults = { fix: false, fullyBlamed: false, blamed: {}, inducedBy: {}, fixesIssues: {} };
  // Without fixByMessage, a record with inline outputs lets the processor tell it from them.
  return (
    stored.outputs === undefined ? { ...defaults, fixByMessage: false, ...stored } : { ...defaults, ...stored }
  ) as CommitRecord;
}

const encode = (ns: Namespace, v: unknown): string =>
  ns === 'commit' ? encodeCommit(v as CommitRecord) : JSON.stringify(v);
const decode = (ns: Namespace, json: string): unknown => (ns === 'commit' ? decodeCommit(json) : JSON.parse(json));

/** Hash tags must not contain braces; a repository id never should, but one must not break the layout. */
function tag(repoId: string): string {
  return repoId.replace(/[{}]/g, (c) => (c === '{' ? '%7B' : '%7D'));
}

export class RedisHistoryStore implements HistoryStore {
  readonly #redis: WithWrite;
  readonly #prefix: string;
  readonly #retention: StateRetention;
  readonly #onPrune: ((pruned: Pruned) => void) | undefined;

  constructor(redis: RedisClient, options: RedisHistoryStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'omen:featurizer';
    this.#retention = checkRetention({ ...DEFAULT_RETENTION, ...options.retention });
    this.#onPrune = options.onPrune;
    if (!('featurizerWrite' in redis)) redis.defineCommand('featurizerWrite', { lua: WRITE_SCRIPT });
    this.#redis = redis as WithWrite;
  }

  key(repoId: string, part: 'meta' | 'window' | 'pending_at' | Namespace): string {
    return `${this.#prefix}:{${tag(repoId)}}:${part}`;
  }

  async load(repoId: string, request: RecordRequest): Promise<RepoSnapshot> {
    const multi = this.#redis.multi().hmget(this.key(repoId, 'meta'), 'version', 'seq');
    const asked: [Namespace, readonly string[]][] = [];
    for (const ns of namespaces) {
      const keys = request[ns] ?? [];
      if (keys.length === 0) continue;
      asked.push([ns, keys]);
      multi.hmget(this.key(repoId, ns), ...keys);
    }
    const replies = await multi.exec();
    if (!replies) throw new UnavailableError(`redis aborted the read of ${repoId}'s featurizer state`);
    for (const [err] of replies)
      if (err) throw new UnavailableError(`reading ${repoId}'s featurizer state: ${err.message}`, { cause: err });
    const [version, seq] = replies[0]![1] as (string | null)[];
    const records = emptyRecordMaps();
    asked.forEach(([ns, keys], i) => {
      const values = replies[i + 1]![1] as (string | null)[];
      const into = records[ns] as Map<string, unknown>;
      keys.forEach((k, j) => {
        const v = values[j];
        if (v !== null && v !== undefined) into.set(k, decode(ns, v));
      });
    });
    return { version: Number(version ?? 0), seq: Number(seq ?? 0), records };
  }

  async write(repoId: string, w: RepoWrite): Promise<boolean> {
    const keys = [
      this.key(repoId, 'meta'),
      ...namespaces.map((ns) => this.key(repoId, ns)),
      this.key(repoId, 'window'),
      this.key(repoId, 'pending_at'),
    ];
    const r = this.#retention;
    const args: (string | number)[] = [
      w.expectedVersion,
      w.seq,
      w.now,
      r.commitOutputs,
      pendingCutoff(w.now, r),
      r.sweepLimit,
      // 1-based Lua indexes into KEYS (meta is KEYS[1]).
      namespaces.indexOf('pending') + 2,
      namespaces.indexOf('outputs') + 2,
      w.applied.length,
      ...w.applied,
    ];
    for (const ns of namespaces) {
      const changes = w.changes[ns] as Map<string, unknown>;
      args.push(changes.size);
      for (const [k, v] of changes) args.push(k, v === null ? '' : encode(ns, v));
    }
    const reply = await this.#redis.featurizerWrite(keys.length, ...keys, ...args);
    if (reply === 0) return false;
    const [outputs, pending] = reply;
    if (outputs + pending > 0) this.#onPrune?.({ outputs, pending });
    return true;
  }

  /**
   * Every applied commit's record (sha → record), read in HSCAN pages so a large repository does
   * not block Redis: what `./scripts/omen audit` compares with the other stages.
   */
  async commitRecords(repoId: string): Promise<Map<string, CommitRecord>> {
    const out = new Map<string, CommitRecord>();
    const key = this.key(repoId, 'commit');
    let cursor = '0';
    do {
      const [next, flat] = await this.#redis.hscan(key, cursor, 'COUNT', 1000);
      for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, decodeCommit(flat[i + 1]!));
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  /**
   * Clears a repository's history so it can be rebuilt from its full history in order
   * (`./scripts/omen featurizer rebuild`), keeping what only issue events bring: issue records
   * stay, and every sha a bug issue names becomes a pending link again, so the replayed commit
   * is linked to it as if the issue had come first. The clear is one MULTI, so a featurizer
   * instance racing on the repository sees the old state or the cleared one (its conditional
   * write fails on the reset version and recomputes); an issue event applied between the read of
   * the issues and the clear would lose its pending links, so rebuild while the repository's
   * partition has no lag. Returns the commits the history held.
   */
  async resetRepository(repoId: string, now: number): Promise<number> {
    const keys = [
      this.key(repoId, 'meta'),
      ...namespaces.map((ns) => this.key(repoId, ns)),
      this.key(repoId, 'window'),
      this.key(repoId, 'pending_at'),
    ];
    const issues = await this.#redis.hgetall(this.key(repoId, 'issue'));
    const pending = new Map<string, string[]>();
    for (const [n, json] of Object.entries(issues)) {
      const issue = JSON.parse(json) as IssueRecord;
      if (!issue.isBug) continue;
      for (const sha of issue.shas) pending.set(sha, [...(pending.get(sha) ?? []), n]);
    }
    const held = await this.#redis.hlen(this.key(repoId, 'commit'));
    const kept = new Set<string>([this.key(repoId, 'issue')]);
    const multi = this.#redis.multi().del(...keys.filter((k) => !kept.has(k)));
    for (const [sha, numbers] of pending) {
      multi.hset(this.key(repoId, 'pending'), sha, JSON.stringify(numbers));
      multi.zadd(this.key(repoId, 'pending_at'), now, sha);
    }
    const replies = await multi.exec();
    for (const [err] of replies ?? [])
      if (err) throw new UnavailableError(`resetting ${repoId}'s featurizer state: ${err.message}`, { cause: err });
    return held;
  }

  /** Removes a repository's whole state (tests, re-featurizing from scratch). */
  async dropRepository(repoId: string): Promise<void> {
    await this.#redis.del(
      this.key(repoId, 'meta'),
      ...namespaces.map((ns) => this.key(repoId, ns)),
      this.key(repoId, 'window'),
      this.key(repoId, 'pending_at'),
    );
  }
}
