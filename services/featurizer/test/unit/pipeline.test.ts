import { describe, expect, it } from 'vitest';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import type { CommitRows, FeatureRow } from '../../src/domain/rows.ts';
import { FeaturizerPipeline, isOutage } from '../../src/pipeline.ts';
import type { FeatureSinks } from '../../src/pipeline.ts';
import { readExpressCommits } from '../helpers/express.ts';

const commits = readExpressCommits().slice(0, 30);
const quiet = { warn: () => undefined, info: () => undefined };
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });

function recordingSinks(failFirst: Partial<Record<keyof FeatureSinks, number>> = {}) {
  const calls = { offline: 0, online: 0, publish: 0 };
  const written = { offline: [] as CommitRows[], online: [] as FeatureRow[], features: [] as FeatureRow[] };
  const sinks: FeatureSinks = {
    offline: (rows) => {
      calls.offline += 1;
      if (calls.offline <= (failFirst.offline ?? 0)) return Promise.reject(refused());
      written.offline.push(...rows);
      return Promise.resolve();
    },
    online: (rows) => {
      calls.online += 1;
      if (calls.online <= (failFirst.online ?? 0)) return Promise.reject(new Error('Connection is closed.'));
      written.online.push(...rows);
      return Promise.resolve();
    },
    publish: (features) => {
      calls.publish += 1;
      written.features.push(...features);
      return Promise.resolve();
    },
  };
  return { sinks, calls, written };
}

describe('isOutage', () => {
  it('tells a dependency that is away from a bad record', () => {
    expect(isOutage(refused())).toBe(true);
    expect(isOutage(new Error('Connection is closed.'))).toBe(true);
    expect(isOutage(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isOutage(new Error('wrapper', { cause: refused() }))).toBe(true);
    expect(isOutage(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isOutage(new Error('Code: 27. DB::Exception: Cannot parse input'))).toBe(false);
  });
});

describe('FeaturizerPipeline', () => {
  it('writes the same rows to all three sinks', async () => {
    const { sinks, written } = recordingSinks();
    const pipeline = new FeaturizerPipeline({ history: new InMemoryHistoryStore(), sinks, logger: quiet });
    await pipeline.handleCommits(commits);
    expect(written.offline.flatMap((r) => r.features)).toEqual(written.online);
    expect(written.features).toEqual(written.online);
    expect(written.online).toHaveLength(commits.length);
  });

  it('waits out a sink outage, writing each healthy sink once, and tells health about it', async () => {
    const { sinks, calls, written } = recordingSinks({ offline: 3, online: 1 });
    const events: string[] = [];
    const pipeline = new FeaturizerPipeline({
      history: new InMemoryHistoryStore(),
      sinks,
      logger: quiet,
      outageBackoff: { initialMs: 1, maxMs: 2 },
      onDependency: (d, up) => events.push(`${d}:${up ? 'up' : 'down'}`),
    });
    await pipeline.handleCommits(commits);
    expect(calls).toEqual({ offline: 4, online: 2, publish: 1 });
    expect(written.offline.flatMap((r) => r.features)).toHaveLength(commits.length);
    expect(events.sort()).toEqual(['clickhouse:down', 'clickhouse:up', 'redis:down', 'redis:up']);
  });

  it('stops waiting when the consumer stops, so the batch stays uncommitted', async () => {
    const { sinks } = recordingSinks({ offline: 1_000_000 });
    const pipeline = new FeaturizerPipeline({
      history: new InMemoryHistoryStore(),
      sinks,
      logger: quiet,
      outageBackoff: { initialMs: 1, maxMs: 1 },
    });
    const controller = new AbortController();
    const pending = pipeline.handleCommits(commits, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('refuses a batch holding an invalid commit before touching any store, naming the problem', async () => {
    const { sinks, calls } = recordingSinks();
    const history = new InMemoryHistoryStore();
    const pipeline = new FeaturizerPipeline({ history, sinks, logger: quiet });
    const bad = { ...commits[1]!, sha: 'zz' };
    await expect(pipeline.handleCommits([commits[0]!, bad])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/commit 1 \(zz\): sha must be/) as unknown,
    });
    expect(calls).toEqual({ offline: 0, online: 0, publish: 0 });
    expect(history.writes).toBe(0);
  });

  it('rethrows what is not an outage (a bug must not stall the stream forever)', async () => {
    const history = new InMemoryHistoryStore();
    const sinks: FeatureSinks = {
      offline: () => Promise.reject(new TypeError('boom')),
      online: () => Promise.resolve(),
      publish: () => Promise.resolve(),
    };
    const pipeline = new FeaturizerPipeline({ history, sinks, logger: quiet });
    await expect(pipeline.handleCommits(commits)).rejects.toThrow('boom');
    // The state write happened; the redelivery replays it instead of counting the commits again.
    const again = new FeaturizerPipeline({ history, sinks: recordingSinks().sinks, logger: quiet });
    const rows = await again.handleCommits(commits);
    expect(rows).toHaveLength(commits.length);
    expect(history.writes).toBe(1);
  });
});
