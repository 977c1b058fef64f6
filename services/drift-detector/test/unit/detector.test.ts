import { parseAlertAnswer } from '../../src/adapters/nats.ts';
import type { ConsumedRecord } from '@omen/kafka';
import { createLogger } from '@omen/telemetry';
import { describe, expect, it } from 'vitest';
import { AlertCooldown } from '../../src/adapters/nats.ts';
import { MemoryReportStore } from '../../src/adapters/report-store.ts';
import { Detector } from '../../src/detector.ts';
import { DEFAULT_THRESHOLDS, evaluateWindow, type Report } from '../../src/domain/report.ts';
import { ModelWindows, type Reference } from '../../src/domain/window.ts';
import { decodePageToken, encodePageToken } from '../../src/server/drift-service.ts';
import { normal, referenceStats, rng } from '../helpers/reference.ts';

const random = rng(3);
const reference: Reference = {
  model: 'jit',
  version: 'v2',
  featureSet: { name: 'fs', version: 1 },
  stats: referenceStats(
    { la: { sample: Array.from({ length: 2000 }, () => normal(random)) } },
    Array.from({ length: 2000 }, () => random()),
    0.2,
  ),
};
const topics = { features: 'f', predictions: 'p', labels: 'l' };
let offset = 0;
const rec = (topic: string, value: unknown): ConsumedRecord<unknown> => ({
  topic,
  partition: 0,
  offset: String(offset++),
  key: null,
  value,
  headers: {},
  timestamp: 0,
  eventId: undefined,
  schemaId: 1,
  rawValue: null,
});
const feat = (i: number, t: number, set = 'fs') =>
  rec('f', {
    event_id: `e${i}`,
    event_time: t,
    repo_id: 'r',
    sha: `${i}`,
    feature_set: set,
    feature_set_version: 1,
    values: { la: normal(random) },
    file_metrics: null,
    computed_at: t,
  });
const pred = (entity: string, t: number, version = 'v2', source = 'stream') =>
  rec('p', {
    event_id: `${source}:${entity}`,
    event_time: t,
    repo_id: 'r',
    entity_type: 'commit',
    entity_id: entity,
    model_name: 'jit',
    model_version: version,
    bug_probability: random(),
    source,
  });

function detector(publish: (r: Report[]) => Promise<void>) {
  return new Detector({
    models: ['jit'],
    reference: () => reference,
    topics,
    windows: { windowMs: 1000, latenessMs: 0, maxSamples: 1000 },
    thresholds: DEFAULT_THRESHOLDS,
    minSamples: 5,
    publish,
    logger: createLogger({ service: 'test', level: 'silent' }),
    now: () => 42,
  });
}

describe('Detector', () => {
  it('keeps the reports of a failed publish and publishes them on the next call', async () => {
    let fail = true;
    const published: Report[] = [];
    const d = detector((r) => {
      if (fail) return Promise.reject(new Error('broker down'));
      published.push(...r);
      return Promise.resolve();
    });
    const batch = [...Array.from({ length: 10 }, (_, i) => feat(i, i)), feat(99, 1500)];
    await expect(d.handle(batch)).rejects.toThrow('broker down');
    expect(d.pendingReports()).toBe(2);
    fail = false;
    // The redelivered batch is late for the closed window and must not change the reports.
    await d.handle(batch);
    expect(published.map((r) => `${r.repo}:${r.tests[0]!.sampleSize}`).sort()).toEqual(['*:10', 'r:10']);
    expect(d.pendingReports()).toBe(0);
  });

  it('acks a record only once every window it went into was reported; late and unmatched records at once', async () => {
    let fail = true;
    const d = detector(() => (fail ? Promise.reject(new Error('broker down')) : Promise.resolve()));
    const acked = new Set<string>();
    const defer = (r: ConsumedRecord<unknown>) => () => void acked.add(r.offset);
    const first = Array.from({ length: 6 }, (_, i) => feat(400 + i, 2000 + i));
    const other = feat(499, 2001, 'other-set');
    await d.handle([...first, other], defer);
    // The window [2000, 3000) is open: only the unmatched record is done.
    expect([...acked]).toEqual([other.offset]);
    const closing = feat(410, 3000);
    await expect(d.handle([closing], defer)).rejects.toThrow('broker down');
    expect(acked.size).toBe(1);
    fail = false;
    // The consumer retries the batch: the redelivered record waits for its window like the first copy.
    const late = feat(411, 2500);
    await d.handle([closing, late], defer);
    expect(acked).toEqual(new Set([other.offset, ...first.map((r) => r.offset), late.offset]));
    expect(acked.has(closing.offset)).toBe(false);
  });

  it('after closedThrough counts replayed records of a reported window as late: no second, smaller report', async () => {
    const published: Report[] = [];
    const d = detector((r) => {
      published.push(...r);
      return Promise.resolve();
    });
    d.closedThrough('jit', 'feature', 6000);
    await d.handle([
      ...Array.from({ length: 6 }, (_, i) => feat(500 + i, 5000 + i)),
      ...Array.from({ length: 6 }, (_, i) => feat(600 + i, 6000 + i)),
      feat(700, 7000),
    ]);
    expect(published.map((r) => `${r.repo}:${r.windowEnd}:${r.tests[0]!.sampleSize}`).sort()).toEqual([
      '*:7000:6',
      'r:7000:6',
    ]);
  });

  it('skips features of another feature set and predictions of other versions; counts a commit scored twice (stream + served) once', async () => {
    const published: Report[] = [];
    const d = detector((r) => {
      published.push(...r);
      return Promise.resolve();
    });
    await d.handle([
      ...Array.from({ length: 6 }, (_, i) => pred(`c${i}`, i)),
      pred('c0', 7, 'v2', 'served'),
      pred('c9', 8, 'v1'),
      feat(1, 1, 'other'),
      pred('closer', 5000),
    ]);
    const all = published.find((r) => r.repo === '*')!;
    expect(all.tests.every((t) => t.target === 'prediction' && t.sampleSize === 6)).toBe(true);
  });

  it('windows each stream by its own event time: predictions scored "now" do not close the features window', async () => {
    const published: Report[] = [];
    const d = detector((r) => {
      published.push(...r);
      return Promise.resolve();
    });
    await d.handle([...Array.from({ length: 6 }, (_, i) => feat(i, i)), pred('x', 1_000_000)]);
    expect(published).toEqual([]);
  });
});

describe('AlertCooldown', () => {
  it('lets one alert per model through per cooldown and gives the slot back on a failed publish', () => {
    const c = new AlertCooldown(1000);
    expect(c.take('a', 0)).toBe(true);
    expect(c.take('a', 999)).toBe(false);
    expect(c.take('b', 999)).toBe(true);
    expect(c.take('a', 1000)).toBe(true);
    c.release('a', 1000);
    expect(c.take('a', 1001)).toBe(true);
  });
});

describe('MemoryReportStore', () => {
  const w = (end: number, repo: string) => {
    const mw = new ModelWindows('jit', { windowMs: 1000, latenessMs: 0, maxSamples: 100 });
    for (let i = 0; i < 6; i++)
      mw.add(reference, { kind: 'label', eventId: `l${i}`, eventTime: end - 1000 + i, repo, positive: i % 2 === 0 });
    mw.add(reference, { kind: 'label', eventId: 'z', eventTime: end + 5000, repo: 'zz', positive: false });
    return mw
      .takeClosed()
      .filter((c) => c.repo === repo)
      .map((c) => evaluateWindow(c, DEFAULT_THRESHOLDS, 5, end));
  };

  it('lists newest first, "*" before repos, pages, and forgets the oldest beyond its bound', async () => {
    const store = new MemoryReportStore(3);
    await store.add([...w(1000, '*'), ...w(1000, 'r'), ...w(2000, 'r'), ...w(2000, '*')]);
    const page = await store.list({ model: 'jit', offset: 0, limit: 2 });
    expect(page.reports.map((r) => `${r.windowEnd}${r.repo}`)).toEqual(['2000*', '2000r']);
    expect(page.more).toBe(true);
    const rest = await store.list({ model: 'jit', offset: 2, limit: 2 });
    expect(rest.reports.map((r) => `${r.windowEnd}${r.repo}`)).toEqual(['1000r']);
    expect(rest.more).toBe(false);
  });
});

describe('page tokens', () => {
  it('round-trip and refuse what the service did not make', () => {
    expect(decodePageToken(encodePageToken(150))).toBe(150);
    expect(decodePageToken('')).toBe(0);
    expect(() => decodePageToken('bm9wZQ')).toThrow(/page_token/);
  });
});

describe('MemoryReportStore merging', () => {
  it('merges reports of one window from different streams into one', async () => {
    const store = new MemoryReportStore(10);
    const base = {
      reportId: 'jit:v2:*:1000',
      model: 'jit',
      version: 'v2',
      repo: '*',
      windowStart: 0,
      windowEnd: 1000,
      referenceVersion: 'v2',
      computedAt: 1,
    };
    const t = (feature: string, drifted: boolean) => ({
      feature,
      target: 'feature' as const,
      statistic: 'psi' as const,
      value: 0,
      pValue: null,
      threshold: 0.2,
      drifted,
      sampleSize: 10,
      referenceSize: 10,
      decisive: true,
      pValueAdjusted: null,
    });
    await store.add([{ ...base, tests: [t('a', false)], drifted: false, driftShare: 0 }]);
    await store.add([
      {
        ...base,
        tests: [t('b', true)],
        drifted: true,
        driftShare: 1,
        computedAt: 2,
        retraining: { status: 'started', runId: 'run-1', detail: '' },
      },
    ]);
    const [r] = (await store.list({ model: 'jit', offset: 0, limit: 5 })).reports;
    expect(r!.tests.map((x) => x.feature)).toEqual(['a', 'b']);
    expect(r!.drifted).toBe(true);
    expect(r!.retraining).toEqual({ status: 'started', runId: 'run-1', detail: '' });
  });
});

describe('Detector.closeIdle', () => {
  it('reports the open windows of a stream quiet for the idle time, and counts stragglers for them as late', async () => {
    let wall = 0;
    const published: Report[] = [];
    const d = new Detector({
      models: ['jit'],
      reference: () => reference,
      topics,
      windows: { windowMs: 1000, latenessMs: 0, maxSamples: 1000 },
      thresholds: DEFAULT_THRESHOLDS,
      minSamples: 5,
      publish: (r) => {
        published.push(...r);
        return Promise.resolve();
      },
      logger: createLogger({ service: 'test', level: 'silent' }),
      now: () => wall,
    });
    await d.handle(Array.from({ length: 8 }, (_, i) => feat(200 + i, 100 + i)));
    wall = 500;
    expect(await d.closeIdle(1000)).toEqual([]);
    wall = 1000;
    const reports = await d.closeIdle(1000);
    expect(reports.map((r) => `${r.repo}:${r.windowEnd}:${r.tests[0]!.sampleSize}`).sort()).toEqual([
      '*:1000:8',
      'r:1000:8',
    ]);
    await d.handle([feat(300, 150)]);
    expect(await d.closeIdle(1000)).toEqual([]);
    expect(published).toHaveLength(2);
  });
});

describe('the trainer answer to an alert', () => {
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  it('reads a started run, a refusal with its reason, and calls anything else failed', () => {
    expect(parseAlertAnswer(enc({ status: 'started', runId: 'run-7' }))).toEqual({ status: 'started', runId: 'run-7' });
    expect(parseAlertAnswer(enc({ status: 'refused', detail: 'cooldown until x' }))).toEqual({
      status: 'refused',
      detail: 'cooldown until x',
    });
    expect(parseAlertAnswer(enc({ status: 'started', runId: '' })).status).toBe('failed');
    expect(parseAlertAnswer(enc('not json'))).toEqual({
      status: 'failed',
      detail: 'the trainer answered the alert with something that is not JSON',
    });
  });
});
