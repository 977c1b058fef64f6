// The featurizer's per-repository state in Redis, so a restarted or rebalanced instance
// continues where the last one stopped.
//
// Layout, per repository (`{repo}` is a Redis Cluster hash tag: all of a repository's keys live
// in one slot, which the atomic write needs):
//   <prefix>:{<repo_id>}:meta            hash  version (write counter), seq (commits in the history)
//   <prefix>:{<repo_id>}:<namespace>     hash  key -> JSON record, namespaces:
//       file     path -> FileHistory        dev      author id -> DeveloperHistory
//       lines    path -> FileLines (blame)  commit   sha -> CommitRecord (applied commits, outputs)
//       issue    number -> IssueRecord      pending  sha -> issue numbers waiting for the commit
// Reads of one batch run in one MULTI (a consistent snapshot); the batch's changes are applied
// by one Lua script that first checks `version`, so the write is atomic and conditional.

import { Redis } from 'ioredis';
import { UnavailableError } from '@omen/errors';
import type { HistoryStore, Namespace, RecordRequest, RepoSnapshot, RepoWrite } from '../domain/history.ts';
import { emptyRecordMaps, namespaces } from '../domain/history.ts';

const WRITE_SCRIPT = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
local i = 3
for k = 2, #KEYS do
  local n = tonumber(ARGV[i])
  i = i + 1
  for j = 1, n do
    local field = ARGV[i]
    local value = ARGV[i + 1]
    i = i + 2
    if value == '' then
      redis.call('HDEL', KEYS[k], field)
    else
      redis.call('HSET', KEYS[k], field, value)
    end
  end
end
redis.call('HSET', KEYS[1], 'version', v + 1, 'seq', ARGV[2])
return 1
`;

export interface RedisHistoryStoreOptions {
  /**
   * Key prefix.
   * @default 'omen:featurizer'
   */
  prefix?: string;
}

type WithWrite = Redis & { featurizerWrite(numKeys: number, ...args: (string | number)[]): Promise<number> };

/** Hash tags must not contain braces; a repository id never should, but one must not break the layout. */
function tag(repoId: string): string {
  return repoId.replace(/[{}]/g, (c) => (c === '{' ? '%7B' : '%7D'));
}

export class RedisHistoryStore implements HistoryStore {
  readonly #redis: WithWrite;
  readonly #prefix: string;

  constructor(redis: Redis, options: RedisHistoryStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'omen:featurizer';
    if (!('featurizerWrite' in redis)) redis.defineCommand('featurizerWrite', { lua: WRITE_SCRIPT });
    this.#redis = redis as WithWrite;
  }

  key(repoId: string, part: 'meta' | Namespace): string {
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
    for (const [err] of replies) if (err) throw new UnavailableError(`reading ${repoId}'s featurizer state: ${err.message}`, { cause: err });
    const [version, seq] = replies[0]![1] as (string | null)[];
    const records = emptyRecordMaps();
    asked.forEach(([ns, keys], i) => {
      const values = replies[i + 1]![1] as (string | null)[];
      const into = records[ns] as Map<string, unknown>;
      keys.forEach((k, j) => {
        const v = values[j];
        if (v !== null && v !== undefined) into.set(k, JSON.parse(v));
      });
    });
    return { version: Number(version ?? 0), seq: Number(seq ?? 0), records };
  }

  async write(repoId: string, w: RepoWrite): Promise<boolean> {
    const keys = [this.key(repoId, 'meta'), ...namespaces.map((ns) => this.key(repoId, ns))];
    const args: (string | number)[] = [w.expectedVersion, w.seq];
    for (const ns of namespaces) {
      const changes = w.changes[ns] as Map<string, unknown>;
      args.push(changes.size);
      for (const [k, v] of changes) args.push(k, v === null ? '' : JSON.stringify(v));
    }
    const ok = await this.#redis.featurizerWrite(keys.length, ...keys, ...args);
    return ok === 1;
  }

  /** Removes a repository's whole state (tests, re-featurizing from scratch). */
  async dropRepository(repoId: string): Promise<void> {
    await this.#redis.del(this.key(repoId, 'meta'), ...namespaces.map((ns) => this.key(repoId, ns)));
  }
}
