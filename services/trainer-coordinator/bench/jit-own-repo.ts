// `./scripts/omen jit-benchmark --git PATH --repo ID`: how well omen predicts on the user's own
// repository, from its own history and its own SZZ labels. The history goes the real path —
// `backfill --git` through ingest, the featurizer (features and SZZ labels), ClickHouse — and the
// benchmark reads the offline store only once `audit` says every commit reached it. Then: a
// chronological split with a label-maturity gap (maturitySplit), the training run's own model
// choice (auto, on the validation slice of the training rows), and the test period scored.
// LApredict (LR on `la`) is fitted on the same training rows and scored on the same test rows.
// Last stdout line: the result as JSON.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { codeMetricsV1, featureNames, jitChangeMetricsV1 } from '@omen/features';
import { loadTrainingRows } from '../src/adapters/clickhouse-training-set.ts';
import {
  effortOf,
  evaluate,
  JIT_TRAIN_PARAMS,
  maturitySplit,
  predict,
  rocAuc,
  trainModel,
  trainSubsetLogistic,
  type Evaluation,
  type FeatureRowInput,
  type LabelRowInput,
  type ModelKind,
} from '../src/domain/index.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const DAY_MS = 86_400_000;
const r4 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10_000) / 10_000 : null);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * Runs a repository script; with `echo` its stdout goes to our stderr (our stdout's last line is
 * the result). Resolves with the exit code and the last stdout line.
 */
function runScript(script: string, args: readonly string[], echo: boolean): Promise<{ code: number; last: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString('utf8')).slice(-100_000);
      if (echo) process.stderr.write(d);
    });
    child.once('error', rej);
    child.once('exit', (code, signal) =>
      res({ code: code ?? (signal ? 1 : 0), last: out.trim().split('\n').pop() ?? '' }),
    );
  });
}

async function featurizedCount(ch: ClickHouse, table: string, repo: string): Promise<number> {
  const [row] = await ch.query<{ n: string }>(sql`
    SELECT uniqExact(sha) AS n FROM ${ident(table)}
    WHERE repo_id = ${repo} AND feature_set = ${jitChangeMetricsV1.name} AND feature_set_version = ${jitChangeMetricsV1.version}`);
  return Number(row?.n ?? 0);
}

/**
 * Waits until the features table holds every commit, giving up when the count has not moved for
 * `stallMs` (records lost before the featurizer read them never arrive: the audit then says which).
 */
async function waitFeaturized(
  ch: ClickHouse,
  table: string,
  repo: string,
  commits: number,
  stallMs: number,
): Promise<number> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const n = await featurizedCount(ch, table, repo);
    if (n >= commits) return n;
    if (n !== last) {
      if (last >= 0) log(`jit-benchmark: ${n} of ${commits} commits featurized`);
      last = n;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      return n;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function metrics(e: Evaluation): Record<string, number | null> {
  return {
    auc: r4(e.auc),
    pr_auc: r4(e.prAuc),
    recall_at_20_effort: r4(e.recallAt20Effort),
    popt: r4(e.popt),
    brier: r4(e.brier),
  };
}

const MESSAGE_BUCKETS = 32;

/**
 * Word tokens of each commit message hashed into MESSAGE_BUCKETS presence features (the hashing
 * trick: no vocabulary to fit, so nothing is learned from test rows). Read from the clone with
 * git: the offline store does not keep messages, and this is a measurement, not a feature set.
 */
function messageBuckets(git: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const log = execFileSync('git', ['-C', git, 'log', '--format=%H%x00%B%x1e'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  for (const rec of log.split('\x1e')) {
    const [sha, body] = rec.trim().split('\x00');
    if (!sha || body === undefined) continue;
    const v = new Array<number>(MESSAGE_BUCKETS).fill(0);
    for (const token of body.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? [])
      v[createHash('md5').update(token).digest().readUInt32LE(0) % MESSAGE_BUCKETS] = 1;
    out.set(sha, v);
  }
  return out;
}

/** Kamei rows widened with `extra` columns per sha (0 where the sha has none: no source file parsed). */
function widen(
  rows: readonly FeatureRowInput[],
  extraNames: readonly string[],
  extra: ReadonlyMap<string, readonly number[]>,
): FeatureRowInput[] {
  return rows.map((r) => ({
    ...r,
    names: [...r.names, ...extraNames],
    values: [...r.values, ...(extra.get(r.sha) ?? extraNames.map(() => 0))],
  }));
}

/**
 * Point 5 of issue 12, report only: Kamei-only against Kamei + code metrics (+ hashed message
 * tokens), each on the same maturity split. Adoption would be decided on the validation AUC of
 * each set's best candidate (`adopt_by_validation`); test AUCs are printed to see what that
 * decision would have been worth, never to make it.
 */
async function compareFeatureSets(
  ch: ClickHouse,
  tables: { features: string; labels: string },
  repo: string,
  git: string,
  kamei: { features: FeatureRowInput[]; labels: LabelRowInput[] },
  split: { testFraction: number; gapMs: number; nowMs: number },
): Promise<Record<string, unknown>> {
  const code = await loadTrainingRows(ch, tables, {
    featureSet: codeMetricsV1,
    cutoffMs: split.nowMs,
    repoIds: [repo],
  });
  const codeNames = featureNames(codeMetricsV1).map((n) => `code_${n}`);
  const codeBySha = new Map(
    code.features.map((r) => [
      r.sha,
      featureNames(codeMetricsV1).map((n) => {
        const at = r.names.indexOf(n);
        return at < 0 ? 0 : Number(r.values[at]);
      }),
    ]),
  );
  const msgNames = Array.from({ length: MESSAGE_BUCKETS }, (_, i) => `msg_${i}`);
  const msgBySha = messageBuckets(git);
  const kameiNames = featureNames(jitChangeMetricsV1);
  const withCode = widen(kamei.features, codeNames, codeBySha);
  const variants: Array<[string, FeatureRowInput[], readonly string[]]> = [
    ['kamei', kamei.features, kameiNames],
    ['kamei_code', withCode, [...kameiNames, ...codeNames]],
    ['kamei_code_message', widen(withCode, msgNames, msgBySha), [...kameiNames, ...codeNames, ...msgNames]],
  ];
  const out: Record<string, unknown> = { code_metrics_rows: code.features.length, message_buckets: MESSAGE_BUCKETS };
  let bestValidation = { name: '', auc: -Infinity };
  for (const [name, features, names] of variants) {
    const { train, test } = maturitySplit(features, kamei.labels, { featureNames: names, ...split });
    const auto = trainModel('auto', train, JIT_TRAIN_PARAMS);
    const full = (auto.selection?.candidates ?? []).filter((c) => !c.name.startsWith('lapredict'));
    const bestFull = Math.max(...full.map((c) => c.validationAuc).filter(Number.isFinite));
    const testAuc: Record<string, number | null> = {};
    for (const kind of ['logistic', 'gbdt', 'ensemble'] as const satisfies readonly ModelKind[])
      testAuc[kind] = r4(rocAuc(test.y, predict(trainModel(kind, train, JIT_TRAIN_PARAMS).model, test.x)));
    out[name] = {
      features: names.length,
      winner: auto.selection?.winner ?? null,
      validation_auc: Object.fromEntries((auto.selection?.candidates ?? []).map((c) => [c.name, r4(c.validationAuc)])),
      best_full_feature_validation_auc: r4(bestFull),
      test_auc_auto: r4(rocAuc(test.y, predict(auto.model, test.x))),
      test_auc: testAuc,
    };
    if (bestFull > bestValidation.auc) bestValidation = { name, auc: bestFull };
    log(
      `features ${name.padEnd(20)} ${String(names.length).padStart(2)} cols  auto→${auto.selection?.winner ?? '?'} test AUC ${String(r4(rocAuc(test.y, predict(auto.model, test.x))))}  full-feature models: validation ${String(r4(bestFull))}, test LR ${testAuc['logistic']} GBDT ${testAuc['gbdt']} blend ${testAuc['ensemble']}`,
    );
  }
  out['adopt_by_validation'] = bestValidation.name;
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      git: { type: 'string' },
      repo: { type: 'string' },
      ingest: { type: 'string', default: process.env['INGEST_GRPC_ADDR'] ?? '127.0.0.1:50051' },
      'test-fraction': { type: 'string', default: '0.2' },
      'gap-days': { type: 'string', default: '90' },
      'stall-s': { type: 'string', default: '300' },
      'skip-replay': { type: 'boolean', default: false },
      'compare-features': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.git || !values.repo) {
    log('jit-benchmark: --git PATH and --repo ID are required');
    return 2;
  }
  const testFraction = Number(values['test-fraction']);
  const gapDays = Number(values['gap-days']);
  const stallMs = Number(values['stall-s']) * 1000;
  if (!(testFraction > 0 && testFraction < 1) || !(gapDays >= 0) || !(stallMs > 0)) {
    log('jit-benchmark: --test-fraction must be in (0, 1), --gap-days >= 0, --stall-s > 0');
    return 2;
  }
  const git = resolve(values.git);
  const repo = values.repo;
  const started = performance.now();
  const commits = Number(execFileSync('git', ['-C', git, 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim());

  if (!values['skip-replay']) {
    log(`jit-benchmark: replaying ${commits} commits of ${git} as ${repo} through ingest at ${values.ingest}`);
    const bf = await runScript(
      'services/ingest/src/backfill/cli.ts',
      ['--git', git, '--repo', repo, '--ingest', values.ingest],
      true,
    );
    if (bf.code !== 0) {
      log(`jit-benchmark: backfill exited with ${bf.code}`);
      return 1;
    }
  }
  const replaySeconds = (performance.now() - started) / 1000;

  const ch = createClickHouse({
    url: process.env['CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123',
    database: process.env['CLICKHOUSE_DATABASE'] ?? 'default',
  });
  const tables = {
    features: process.env['TRAINER_FEATURES_TABLE'] ?? 'commit_features',
    labels: process.env['TRAINER_LABELS_TABLE'] ?? 'commit_labels',
  };
  try {
    const featurized = await waitFeaturized(ch, tables.features, repo, commits, stallMs);
    // The audit is the judge of completeness (source, featurizer state, features, gaps), not the count alone.
    const audit = await runScript(
      'services/featurizer/src/recovery/cli.ts',
      ['audit', '--repo', repo, '--git', git, '--json'],
      false,
    );
    if (audit.code !== 0) {
      log(audit.last);
      log(
        `jit-benchmark: audit says INCOMPLETE (${featurized} of ${commits} commits featurized); README "When commits were lost" says how to recover`,
      );
      return 1;
    }
    // A fix's SZZ labels are written after the features of the batch that carried it: read only
    // once the repository's label count holds still, so the last fixes' labels are not cut off.
    let labelRows = -1;
    for (;;) {
      const [row] = await ch.query<{ n: string }>(
        sql`SELECT count() AS n FROM ${ident(tables.labels)} WHERE repo_id = ${repo}`,
      );
      if (Number(row?.n ?? 0) === labelRows) break;
      labelRows = Number(row?.n ?? 0);
      await new Promise((r) => setTimeout(r, 3000));
    }
    const featurizeSeconds = (performance.now() - started) / 1000;

    const nowMs = Date.now();
    const rows = await loadTrainingRows(ch, tables, {
      featureSet: jitChangeMetricsV1,
      cutoffMs: nowMs,
      repoIds: [repo],
    });
    const [fixes] = await ch.query<{ n: string }>(sql`
      SELECT uniqExact(sha) AS n FROM ${ident(`${tables.labels}_latest`)} WHERE repo_id = ${repo} AND is_fix = 1`);
    const names = featureNames(jitChangeMetricsV1);
    const split = maturitySplit(rows.features, rows.labels, {
      featureNames: names,
      testFraction,
      gapMs: gapDays * DAY_MS,
      nowMs,
    });
    const { train, test, report } = split;

    const trainStarted = performance.now();
    const result = trainModel('auto', train, JIT_TRAIN_PARAMS);
    const trainSeconds = (performance.now() - trainStarted) / 1000;
    const ours = evaluate(test.y, predict(result.model, test.x), effortOf(test), result.threshold);
    const lapredictModel = trainSubsetLogistic(train, ['la'], JIT_TRAIN_PARAMS.logistic);
    const lapredict = evaluate(test.y, predict(lapredictModel, test.x), effortOf(test), 0.5);

    if (report.train.positives === 0 || report.test.positives === 0) {
      log(
        `jit-benchmark: ${report.train.positives} bug-inducing commits in training, ${report.test.positives} in the test period: a side without positives has no AUC (null below); the featurizer's SZZ found ${report.positives} in all`,
      );
    }
    const summary = {
      repo,
      protocol: `own repository: commits by time, newest ${testFraction * 100}% test (labels known now); training commits end ${gapDays} days before the test start, labelled as known at the test start; model chosen on the newest 20% of the training rows (auto)`,
      commits,
      rows: report.rows,
      fix_commits: Number(fixes?.n ?? 0),
      bug_inducing: report.positives,
      bug_inducing_rate: r4(report.labelRate),
      test_start: new Date(report.testStartMs).toISOString(),
      gap_days: gapDays,
      train: {
        ...report.train,
        labelRate: r4(report.train.labelRate),
        labels_not_yet_known: report.trainLabelsNotYetKnown,
      },
      gap_rows: report.gapRows,
      test: { ...report.test, labelRate: r4(report.test.labelRate) },
      winner: result.selection?.winner ?? null,
      validation_auc: Object.fromEntries(
        (result.selection?.candidates ?? []).map((c) => [c.name, r4(c.validationAuc)]),
      ),
      ours: metrics(ours),
      lapredict: metrics(lapredict),
      feature_sets: values['compare-features']
        ? await compareFeatureSets(ch, tables, repo, git, rows, { testFraction, gapMs: gapDays * DAY_MS, nowMs })
        : null,
      machine: {
        os: `${platform()} ${release()}`,
        arch: arch(),
        cpu: cpus()[0]?.model ?? 'unknown',
        cpus: cpus().length,
        total_memory_gb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        load_average_1m_at_end: r4(loadavg()[0]!),
      },
      seconds: {
        replay: Math.round(replaySeconds),
        until_audit_complete: Math.round(featurizeSeconds),
        train: Math.round(trainSeconds * 10) / 10,
      },
    };
    if (!values.json) {
      log(
        `${repo}: ${report.rows} commits, ${summary.fix_commits} fix commits, ${report.positives} bug-inducing (${(report.labelRate * 100).toFixed(2)}%)`,
      );
      log(
        `split: train ${report.train.rows} rows (${report.train.positives} positives), gap ${report.gapRows}, test ${report.test.rows} rows (${report.test.positives} positives) from ${summary.test_start}`,
      );
      const row = (name: string, m: Record<string, number | null>): string =>
        `${name.padEnd(22)} AUC ${m['auc']}  PR-AUC ${m['pr_auc']}  Recall@20%Effort ${m['recall_at_20_effort']}  Popt ${m['popt']}`;
      process.stdout.write(
        `${row(`ours (${summary.winner ?? 'auto'})`, summary.ours)}\n${row('LApredict (LR on la)', summary.lapredict)}\n`,
      );
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    await ch.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`jit-benchmark: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
