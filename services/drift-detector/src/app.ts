// The drift detector's wiring, as runService's start(): the references (registry, NATS, poll),
// the consumer over features, predictions and labels, the sinks (monitoring.drift.v1,
// ClickHouse, gauges, drift.alert) and the gRPC reads.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClickHouse } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import { avroSchema, loadGrpcObject } from '@omen/contracts';
import {
  createKafka,
  offsetGapHealth,
  type AvroProducer,
  type BatchConsumerOptions,
  type ConsumerRunner,
} from '@omen/kafka';
import { LocalModelRegistry, type ModelSource } from '@omen/model-registry';
import { withinMs, type ServiceContext } from '@omen/service';
import { connectDriftNats, type DriftNats } from './adapters/nats.ts';
import { ReferenceTracker, referenceSourceOf, type ReferenceSource } from './adapters/references.ts';
import { TrainerReferenceSource } from './adapters/trainer-references.ts';
import { ClickHouseReportStore, MemoryReportStore, type ReportStore } from './adapters/report-store.ts';
import { PerformanceStore } from './adapters/performance-store.ts';
import type { DriftConfig } from './config.ts';
import { Detector } from './detector.ts';
import { driftReason, driftRecords, type Report, type Retraining } from './domain/report.ts';
import { ALL_REPOS } from './domain/window.ts';
import { driftMetrics, type DriftMetrics } from './metrics.ts';
import { driftHandlers } from './server/drift-service.ts';

export interface DriftApp {
  references: ReferenceTracker;
  detector: Detector;
  store: ReportStore;
  /** Expected and realised AUC per prediction window; only with ClickHouse. */
  performance: PerformanceStore | undefined;
  metrics: DriftMetrics;
  /** The consumer, once running. */
  consumer: () => ConsumerRunner | undefined;
}

export interface DriftOverrides {
  /** Replaces the registry directory (or trainer) source. */
  source?: ModelSource | ReferenceSource;
  /** Consumer timings (tests use short sessions on the dev broker). */
  consumer?: Partial<
    Pick<
      BatchConsumerOptions<unknown>,
      'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitTimeMs' | 'retries'
    >
  >;
}

export function startDriftDetector(ctx: ServiceContext<DriftConfig>, overrides: DriftOverrides = {}): DriftApp {
  const { config, logger } = ctx;
  const metrics = driftMetrics(ctx.metrics);
  const models = config.DRIFT_MODELS;
  let source: ReferenceSource;
  if (overrides.source) source = 'record' in overrides.source ? overrides.source : referenceSourceOf(overrides.source);
  else if (config.DRIFT_TRAINER_ADDR) {
    const trainer = new TrainerReferenceSource({
      address: config.DRIFT_TRAINER_ADDR,
      token: config.DRIFT_TRAINER_TOKEN,
    });
    ctx.onShutdown(() => trainer.close(), 'trainer client');
    source = trainer;
  } else source = referenceSourceOf(new LocalModelRegistry(config.DRIFT_REGISTRY_DIR));
  const references = new ReferenceTracker(source, config.DRIFT_ALIAS, logger);
  const refresh = (model: string) =>
    references.refresh(model).catch((err: unknown) => {
      logger.warn({ err, model }, 'reading the reference of %s failed', model);
      return undefined;
    });

  if (!config.KAFKA_BROKERS || !config.SCHEMA_REGISTRY_URL)
    throw new Error(
      'drift-detector needs KAFKA_BROKERS and SCHEMA_REGISTRY_URL (it consumes features, predictions and labels)',
    );
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'drift-detector',
    registryUrl: config.SCHEMA_REGISTRY_URL,
    logger,
    metrics: ctx.metrics,
  });
  const clickhouse = config.CLICKHOUSE_URL ? createClickHouse({ url: config.CLICKHOUSE_URL }) : undefined;
  const store: ReportStore = clickhouse
    ? new ClickHouseReportStore(clickhouse, config.DRIFT_TABLE)
    : new MemoryReportStore(config.DRIFT_REPORTS_KEPT);
  const perfTables = {
    performance: config.DRIFT_PERFORMANCE_TABLE,
    scores: config.DRIFT_SCORES_TABLE,
    labels: config.DRIFT_LABELS_TABLE,
  };
  const performance = clickhouse
    ? new PerformanceStore(clickhouse, perfTables, models, {
        predictions: config.DRIFT_TOPIC_PREDICTIONS,
        labels: config.DRIFT_TOPIC_LABELS,
      })
    : undefined;
  let consumer: ConsumerRunner | undefined;
  let producer: AvroProducer | undefined;
  let nats: DriftNats | undefined;
  ctx.onShutdown(async () => {
    await consumer?.stop();
    await kafka.close();
    await clickhouse?.close();
  }, 'kafka and clickhouse');

  /**
   * The retraining link: per model, the newest drifted report of the batch (the all-repos one
   * first) sends the alert and keeps the trainer's answer — the run id, or why no run started;
   * the batch's other drifted reports of that model record that the alert went with it. Done
   * before the writes so the topic and the table carry the link, and only once per report: a
   * publish retried after a failed write keeps the first answer instead of asking again (the
   * trainer would now refuse: its run is in progress).
   */
  const link = async (reports: Report[]): Promise<void> => {
    const newest = new Map<string, Report>();
    for (const r of reports) {
      if (!r.drifted) continue;
      const prev = newest.get(r.model);
      if (
        !prev ||
        r.windowEnd > prev.windowEnd ||
        (r.windowEnd === prev.windowEnd && r.repo === ALL_REPOS && prev.repo !== ALL_REPOS)
      )
        newest.set(r.model, r);
    }
    for (const [model, drifted] of newest) {
      drifted.retraining ??= await retrain(model, drifted);
      for (const r of reports) {
        if (r.model === model && r.drifted && r !== drifted)
          r.retraining ??= { status: 'covered', runId: '', detail: `the alert went with report ${drifted.reportId}` };
      }
    }
  };

  const retrain = async (model: string, drifted: Report): Promise<Retraining> => {
    if (!nats) {
      logger.warn({ model, report: drifted.reportId }, 'drift detected but NATS is not connected: no alert sent');
      metrics.alerts.inc({ model, outcome: 'failed' });
      return {
        status: 'failed',
        runId: '',
        detail: config.NATS_URL ? 'NATS not connected: no alert sent' : 'NATS_URL not set: no alert sent',
      };
    }
    const reason = driftReason(drifted);
    try {
      const outcome = await nats.alert({ model, version: drifted.version, reason });
      metrics.alerts.inc({ model, outcome: outcome.status === 'cooldown' ? 'cooldown' : 'published' });
      if (outcome.status === 'started') {
        logger.warn(
          { model, version: drifted.version, report: drifted.reportId, run: outcome.runId },
          'drift alert: %s; retraining run %s',
          reason,
          outcome.runId,
        );
        return { status: 'started', runId: outcome.runId, detail: '' };
      }
      if (outcome.status !== 'cooldown')
        logger.warn(
          { model, version: drifted.version, report: drifted.reportId, retraining: outcome.status },
          'drift alert: %s; no retraining run: %s',
          reason,
          outcome.detail,
        );
      return { status: outcome.status, runId: '', detail: outcome.detail };
    } catch (err) {
      // An alert is a nudge, not data: the report is stored and published all the same.
      metrics.alerts.inc({ model, outcome: 'failed' });
      logger.warn({ err, model }, 'drift alert could not be published');
      return { status: 'failed', runId: '', detail: `the alert could not be sent: ${(err as Error).message}` };
    }
  };

  const publish = async (reports: Report[]): Promise<void> => {
    await link(reports);
    const records = reports.flatMap(driftRecords);
    // Both writes are idempotent by event id, so a retry after one of them failed rewrites both.
    // The store comes second: what it holds is what the restart treats as reported (see
    // Detector.closedThrough), so a report in it must already be on the topic too.
    await producer!.send(
      config.DRIFT_TOPIC_REPORTS,
      records.map((r) => ({ key: r.repo_id, value: r, eventId: r.event_id, eventTime: r.event_time })),
    );
    await store.add(reports);
    await performance?.addExpected(reports);
    const latest = new Map<string, Report[]>();
    for (const r of reports) {
      metrics.reports.inc({ model: r.model, drifted: String(r.drifted) });
      if (r.repo === ALL_REPOS)
        for (const t of r.tests)
          metrics.statistic.set(
            { model: r.model, feature: t.feature, statistic: t.statistic, target: t.target },
            t.value,
          );
      const prev = latest.get(r.model)?.[0];
      if (!prev || r.windowEnd > prev.windowEnd) latest.set(r.model, [r]);
      else if (r.windowEnd === prev.windowEnd) latest.get(r.model)!.push(r);
    }
    for (const [model, newest] of latest) metrics.detected.set({ model }, newest.some((r) => r.drifted) ? 1 : 0);
  };

  const detector = new Detector({
    models,
    reference: (m) => references.get(m),
    topics: {
      features: config.DRIFT_TOPIC_FEATURES,
      predictions: config.DRIFT_TOPIC_PREDICTIONS,
      labels: config.DRIFT_TOPIC_LABELS,
    },
    windows: {
      windowMs: config.DRIFT_WINDOW,
      latenessMs: config.DRIFT_ALLOWED_LATENESS,
      maxSamples: config.DRIFT_MAX_SAMPLES,
    },
    thresholds: {
      psi: config.DRIFT_PSI_THRESHOLD,
      ksAlpha: config.DRIFT_KS_ALPHA,
      chi2Alpha: config.DRIFT_CHI2_ALPHA,
      js: config.DRIFT_JS_THRESHOLD,
      wasserstein: config.DRIFT_WASSERSTEIN_THRESHOLD,
    },
    policy: {
      numeric: config.DRIFT_NUMERIC_TEST,
      categorical: config.DRIFT_CATEGORICAL_TEST,
      smallRows: config.DRIFT_SMALL_REFERENCE_ROWS,
      driftShare: config.DRIFT_SHARE,
      correction: config.DRIFT_CORRECTION,
    },
    minSamples: config.DRIFT_MIN_SAMPLES,
    publish,
    logger,
    metrics,
  });

  const referencesLoaded = Promise.all(
    models.map((m) =>
      ctx.dependency(
        `reference:${m}`,
        async () => {
          const s = await references.refresh(m);
          // A model without a reference yet is not an outage: its records are skipped until one appears.
          return s;
        },
        { required: false },
      ),
    ),
  );

  if (config.NATS_URL) {
    const url = config.NATS_URL;
    void ctx
      .dependency(
        'nats',
        () =>
          connectDriftNats({
            url,
            alertSubject: config.DRIFT_ALERT_SUBJECT,
            cooldownMs: config.DRIFT_ALERT_COOLDOWN,
            replyTimeoutMs: config.DRIFT_ALERT_REPLY_TIMEOUT,
            models,
            onModelEvent: (m) => void refresh(m),
            logger,
            onStatus: (up) => ctx.setDependencyUp('nats', up),
          }),
        { required: false },
      )
      .then((n) => {
        nats = n;
        ctx.onShutdown(() => n.close(), 'nats');
        ctx.watchDependency('nats', () => n.probe());
      })
      .catch(() => undefined);
  }

  if (config.DRIFT_REGISTRY_POLL > 0) {
    void (async () => {
      await referencesLoaded.catch(() => undefined);
      while (!ctx.signal.aborted) {
        await sleep(config.DRIFT_REGISTRY_POLL, undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted) break;
        for (const m of models) await refresh(m);
      }
    })();
  }

  if (performance) {
    void (async () => {
      while (!ctx.signal.aborted) {
        await sleep(config.DRIFT_PERFORMANCE_INTERVAL, undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted) break;
        await performance.realise(Date.now(), config.DRIFT_LABEL_MATURITY).then(
          (done) => {
            if (done.length > 0)
              logger.info({ windows: done.length }, 'realised AUC of %d windows whose labels matured', done.length);
          },
          (err: unknown) => logger.warn({ err }, 'computing realised AUC failed; retried on the next interval'),
        );
      }
    })();
  }

  if (config.DRIFT_IDLE_CLOSE > 0) {
    void (async () => {
      const tick = Math.max(1000, Math.min(60_000, Math.floor(config.DRIFT_IDLE_CLOSE / 4)));
      while (!ctx.signal.aborted) {
        await sleep(tick, undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted || !producer) continue;
        await detector
          .closeIdle(config.DRIFT_IDLE_CLOSE)
          .catch((err: unknown) =>
            logger.warn({ err }, 'publishing idle windows failed; retried on the next tick or batch'),
          );
      }
    })();
  }

  void (async () => {
    producer = await ctx.dependency('kafka', () =>
      kafka.producer({ schemas: { [config.DRIFT_TOPIC_REPORTS]: avroSchema('drift_report') } }),
    );
    if (clickhouse) {
      await ctx.dependency('clickhouse', async () => {
        await migrate(clickhouse, {
          names: {
            drift_reports: config.DRIFT_TABLE,
            drift_performance: perfTables.performance,
            drift_scores: perfTables.scores,
            drift_labels: perfTables.labels,
          },
        });
      });
    }
    // Consume once the references are read: records seen before would be skipped as unmatched.
    await referencesLoaded;
    const reported = await ctx.dependency('reported windows', () => store.reportedThrough(models));
    for (const r of reported) detector.closedThrough(r.model, r.target, r.windowEnd);
    consumer = await ctx.dependency('consumer', () =>
      kafka.runConsumer<unknown>({
        ...overrides.consumer,
        group: config.DRIFT_GROUP,
        topics: [config.DRIFT_TOPIC_FEATURES, config.DRIFT_TOPIC_PREDICTIONS, config.DRIFT_TOPIC_LABELS],
        lagIntervalMs: config.DRIFT_LAG_INTERVAL,
        offsetGapPolicy: config.DRIFT_OFFSET_GAP_POLICY,
        ...offsetGapHealth((name, reason) => ctx.setBlocked(name, reason)),
        maxBatchSize: 1000,
        // Records are committed only once the windows they went into were reported (deferred
        // acks): open windows live in memory, and a restart rebuilds them from the redelivery.
        batchHandler: async (records, hctx) => {
          // Scores and labels for the realised AUC first: a failed insert retries the batch.
          await performance?.record(records);
          await detector.handle(records, (r) => hctx.defer(r));
        },
      }),
    );
    void consumer.crashed.then((err) => {
      logger.fatal({ err }, 'drift consumer stopped for good');
      ctx.setDependencyUp('consumer', false, err.message);
    });
  })().catch((err: unknown) => {
    if (!ctx.signal.aborted) logger.error({ err }, 'drift-detector failed to start consuming');
  });

  ctx.grpc.addService(
    loadGrpcObject('drift').omen.drift.v1.DriftDetector.service,
    driftHandlers({
      store: boundedReads(store, config.DRIFT_READ_TIMEOUT),
      performance: performance && {
        list: (q) => withinMs(performance.list(q), config.DRIFT_READ_TIMEOUT, 'the performance table (ClickHouse)'),
      },
      servingVersion: (m) => references.get(m)?.version,
    }),
  );
  return { references, detector, store, performance, metrics, consumer: () => consumer };
}

/** The store as the gRPC reads see it: a stalled ClickHouse answers UNAVAILABLE after `timeoutMs`. */
function boundedReads(store: ReportStore, timeoutMs: number): ReportStore {
  return {
    add: (reports) => store.add(reports),
    reportedThrough: (models) => store.reportedThrough(models),
    list: (q) => withinMs(store.list(q), timeoutMs, 'the report store (ClickHouse)'),
  };
}
