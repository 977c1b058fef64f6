import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, metricNameProblem, startMetricsServer, type MetricsServer } from '@omen/telemetry';
import { promtoolCheckMetrics } from '@omen/testing';

describe('metrics server', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves histograms as _bucket lines with the service label, plus default metrics', async () => {
    const metrics = createMetrics({ service: 'featurizer' });
    const h = metrics.histogram('omen_featurize_seconds', 'Time to featurize one commit', ['stage']);
    h.observe({ stage: 'diff' }, 0.003);
    h.observe({ stage: 'diff' }, 0.2);
    metrics.counter('omen_commits_total', 'Commits seen', ['repo']).inc({ repo: 'r1' }, 3);
    let depth = 0;
    metrics.gauge('omen_queue_depth', 'Queued commits', [], (g) => g.set(++depth));

    server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1' });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE omen_featurize_seconds histogram');
    expect(text).toContain('omen_featurize_seconds_bucket{le="0.001",service="featurizer",stage="diff"} 0');
    expect(text).toContain('omen_featurize_seconds_bucket{le="0.005",service="featurizer",stage="diff"} 1');
    expect(text).toContain('omen_featurize_seconds_bucket{le="+Inf",service="featurizer",stage="diff"} 2');
    expect(text).toContain('omen_featurize_seconds_count{service="featurizer",stage="diff"} 2');
    expect(text).toContain('omen_commits_total{repo="r1",service="featurizer"} 3');
    expect(text).toContain('omen_queue_depth{service="featurizer"} 1');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="featurizer"\} /m);
  });

  it('returns the same metric when asked twice and refuses a type clash', () => {
    const metrics = createMetrics({ service: 's', defaultMetrics: false });
    expect(metrics.counter('omen_test_c_total', 'c')).toBe(metrics.counter('omen_test_c_total', 'c'));
    expect(() => metrics.histogram('omen_test_c_total', 'c')).toThrow(/already exists/);
  });

  it('answers /healthz, /readyz from the ready callback, and 404 elsewhere', async () => {
    let ready = false;
    const metrics = createMetrics({ service: 's', defaultMetrics: false });
    server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1', ready: () => ready });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe('metric naming (issue 14)', () => {
  it('refuses a name outside omen_<component>_…, _total off a counter or on a gauge, and non-base units', () => {
    const metrics = createMetrics({ service: 'naming', defaultMetrics: false });
    expect(() => metrics.counter('ingest_events_total', 'h')).toThrow(/omen_<component>_<what>/);
    expect(() => metrics.counter('omen_ingest_events', 'h')).toThrow(/must end in _total/);
    expect(() => metrics.gauge('omen_ingest_active_total', 'h')).toThrow(/counters only/);
    expect(() => metrics.histogram('omen_ingest_publish_ms', 'h')).toThrow(/base unit/);
    expect(metricNameProblem('omen_ingest_publish_duration_seconds', 'histogram')).toBeNull();
  });

  it('default process metrics and omen series pass promtool check metrics', async () => {
    const metrics = createMetrics({ service: 'promtool' });
    metrics.counter('omen_test_events_total', 'Events', ['kind']).inc({ kind: 'a' });
    metrics.histogram('omen_test_step_duration_seconds', 'Step time').observe(0.01);
    const text = await metrics.registry.metrics();
    // The gauges prom-client names nodejs_active_*_total are what promtool flagged.
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
    expect(text).toMatch(/^nodejs_active_handles\{/m);
    expect(promtoolCheckMetrics(text)).toEqual([]);
  });
});
