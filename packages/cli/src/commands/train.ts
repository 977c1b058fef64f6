import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import type { trainerV1 } from '@omen/contracts';
import { UsageError, type Command } from '../command.ts';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  CliFailure,
  call,
  fmt,
  isoOf,
  pairs,
  printJson,
  runVerb,
  statusName,
  table,
  trainerClient,
  type Connection,
} from './models.ts';

const usage = `
usage: ./scripts/omen train start [--model M] [--feature-set NAME[@V]] [--algorithm A] [--param K=V]...
                                  [--cutoff TIME] [--from TIME] [--repo ID]... [--row-source SRC]
                                  [--test-fraction F] [--gap DURATION] [--promote] [--reason TEXT] [--watch]
       ./scripts/omen train watch RUN_ID
       ./scripts/omen train get RUN_ID
       ./scripts/omen train list [--model M] [--limit N]
       ./scripts/omen train cancel RUN_ID

  start   start a training run on the trainer-coordinator and print its id (with --watch, follow
          it to the end; exit 0 succeeded, 3 trained but refused by the gate, 1 failed/cancelled)
            --model        default: the service's TRAINER_DEFAULT_MODEL (jit-defect)
            --algorithm    auto | logistic | gbdt | ensemble (default: the service's, auto = LApredict,
                           LR, GBDT or their blend, whichever scores best on the validation slice)
            --param        e.g. numTrees=300, gbdt.learningRate=0.05, logistic.l2=1e-3, gbdtWeight=0.5
            --cutoff/from  ISO time or unix seconds; only features and labels known by the cutoff
                           (default now) are used; rows before --from are left out
            --row-source   clickhouse (default) or csv:PATH (an ISSTA'21-style CSV inside the trainer's
                           TRAINER_CSV_DIR, default .omen/import; PATH absolute or relative to it)
            --gap          time between the last training row and the first test row: 30m, 12h, 7d
            --promote      make the new version champion if it passes the gate (else challenger)
  watch   stream a run's progress until it ends (same exit codes)
  get     a run's state, row counts, data checks, metrics and gate
  list    runs, newest first
  cancel  stop a pending or running run
${CONNECTION_USAGE}
`;

function timeArg(raw: string | undefined, option: string): { seconds: string; nanos: number } | undefined {
  if (raw === undefined) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new UsageError(`--${option} must be an ISO time or unix seconds; got "${raw}"`);
  return { seconds: String(Math.floor(ms / 1000)), nanos: 0 };
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

function secondsArg(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`--gap must be a duration like 3600, 30m, 12h or 7d; got "${raw}"`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}

const state = (s: string): string => s.replace('RUN_STATE_', '').toLowerCase();

function exitCodeOf(run: trainerV1.Run__Output): number {
  if (run.state === 'RUN_STATE_SUCCEEDED') return 0;
  if (run.state === 'RUN_STATE_REJECTED') return 3;
  return 1;
}

function printRun(r: trainerV1.Run__Output): void {
  const lines = [
    `${r.run_id}  ${state(r.state)}  ${r.model_name}${r.model_version ? `/${r.model_version}` : ''}  (${r.trigger || 'manual'}${r.reason ? `: ${r.reason}` : ''})`,
    `  training    ${r.algorithm} on ${r.feature_set}@v${r.feature_set_version} from ${r.row_source}, cutoff ${isoOf(r.cutoff)}${
      Object.keys(r.params).length > 0
        ? `, ${Object.entries(r.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }`,
    `  rows        ${r.train_rows} train (${r.validation_rows} of them validation) / ${r.gap_rows} gap / ${r.test_rows} test; label rate ${fmt(r.label_rate)} train, ${fmt(r.test_label_rate)} test; ${r.labels_excluded} labels known after the cutoff excluded`,
    `  data        ${isoOf(r.data_from)} .. ${isoOf(r.data_to)}`,
    `  times       created ${isoOf(r.created_at)}, started ${isoOf(r.started_at)}, finished ${isoOf(r.finished_at)}`,
  ];
  if (r.selected_candidate)
    lines.push(
      `  selected    ${r.selected_candidate} on the validation slice; validation AUC ${r.candidate_scores.map((c) => `${c.name} ${fmt(c.validation_auc)}`).join(', ')}`,
    );
  if (r.data_checks.length > 0)
    lines.push(`  checks      ${r.data_checks.map((c) => `${c.name} ${c.passed ? 'ok' : 'FAILED'}`).join(', ')}`);
  if (Object.keys(r.metrics).length > 0)
    lines.push(
      `  metrics     ${Object.entries(r.metrics)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
    );
  if (r.gate)
    lines.push(
      `  gate        ${r.gate.passed ? 'passed' : 'refused'}: ${r.gate.checks.map((c) => `${c.name} ${c.passed ? 'ok' : 'FAILED'}`).join(', ')}`,
    );
  if (r.error) lines.push(`  error       ${r.error}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Streams WatchRun, printing each event; resolves with the final run. */
function watch(conn: Connection, runId: string, json: boolean): Promise<trainerV1.Run__Output> {
  return new Promise((resolve, reject) => {
    let last: trainerV1.Run__Output | undefined;
    // No deadline: a run takes as long as it takes; Ctrl-C ends the watch, not the run.
    const stream = conn.client.WatchRun({ run_id: runId }, new grpc.Metadata(), { deadline: Infinity });
    stream.on('data', (e: trainerV1.RunEvent__Output) => {
      last = e.run ?? last;
      if (json)
        process.stdout.write(
          `${JSON.stringify({ state: e.state, progress: e.progress, message: e.message, time: isoOf(e.time) })}\n`,
        );
      else
        process.stdout.write(
          `${isoOf(e.time)}  ${String(Math.round(e.progress * 100)).padStart(3)}%  ${state(e.state).padEnd(16)}  ${e.message}\n`,
        );
    });
    stream.on('error', (err: grpc.ServiceError) =>
      reject(new CliFailure(`WatchRun: ${statusName(err.code)}: ${err.details}`)),
    );
    stream.on('end', () => (last ? resolve(last) : reject(new CliFailure(`WatchRun ${runId} ended without events`))));
  });
}

async function runTrain(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      model: { type: 'string' },
      'feature-set': { type: 'string' },
      algorithm: { type: 'string' },
      param: { type: 'string', multiple: true },
      cutoff: { type: 'string' },
      from: { type: 'string' },
      repo: { type: 'string', multiple: true },
      'row-source': { type: 'string' },
      'test-fraction': { type: 'string' },
      gap: { type: 'string' },
      promote: { type: 'boolean', default: false },
      reason: { type: 'string' },
      watch: { type: 'boolean', default: false },
      limit: { type: 'string' },
    },
  });
  const [verb, ...args] = positionals;
  const one = (what: string): string => {
    if (args.length !== 1) throw new UsageError(`train ${verb} takes ${what}`);
    return args[0]!;
  };

  switch (verb) {
    case 'start': {
      if (args.length > 0) throw new UsageError(`unexpected ${args.join(' ')}`);
      const fs = values['feature-set'];
      const m = fs === undefined ? undefined : /^([a-z][a-z0-9_]*)(?:@v?(\d+))?$/.exec(fs);
      if (fs !== undefined && !m) throw new UsageError(`--feature-set must be NAME or NAME@VERSION; got "${fs}"`);
      const testFraction = values['test-fraction'] === undefined ? 0 : Number(values['test-fraction']);
      if (!(testFraction >= 0 && testFraction < 1))
        throw new UsageError(`--test-fraction must be in (0, 1); got "${values['test-fraction']}"`);
      const cutoff = timeArg(values.cutoff, 'cutoff');
      const from = timeArg(values.from, 'from');
      const conn = trainerClient(values, true);
      const run = await call<trainerV1.Run__Output>(conn, 'StartRun', {
        model_name: values.model ?? '',
        feature_set: m?.[1] ?? '',
        feature_set_version: m?.[2] ? Number(m[2]) : 0,
        repo_ids: values.repo ?? [],
        ...(cutoff ? { cutoff } : {}),
        ...(from ? { from } : {}),
        algorithm: values.algorithm ?? '',
        params: pairs(values.param, 'param'),
        auto_promote: values.promote,
        reason: values.reason ?? '',
        row_source: values['row-source'] ?? '',
        test_fraction: testFraction,
        gap_seconds: String(secondsArg(values.gap)),
      });
      if (!values.watch) {
        if (values.json) printJson(run);
        else
          process.stdout.write(
            `started ${run.run_id} (${run.model_name}, ${run.algorithm}); follow it with ./scripts/omen train watch ${run.run_id}\n`,
          );
        return 0;
      }
      if (!values.json) process.stdout.write(`started ${run.run_id}\n`);
      const final = await watch(trainerClient(values, false), run.run_id, values.json);
      if (!values.json) printRun(final);
      return exitCodeOf(final);
    }
    case 'watch': {
      const final = await watch(trainerClient(values, false), one('RUN_ID'), values.json);
      if (!values.json) printRun(final);
      return exitCodeOf(final);
    }
    case 'get': {
      const run = await call<trainerV1.Run__Output>(trainerClient(values, false), 'GetRun', { run_id: one('RUN_ID') });
      if (values.json) printJson(run);
      else printRun(run);
      return 0;
    }
    case 'list': {
      if (args.length > 0) throw new UsageError(`unexpected ${args.join(' ')}`);
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!(Number.isInteger(limit) && limit > 0))
        throw new UsageError(`--limit must be a positive integer; got "${values.limit}"`);
      const res = await call<trainerV1.ListRunsResponse__Output>(trainerClient(values, false), 'ListRuns', {
        model_name: values.model ?? '',
        limit,
      });
      if (values.json) printJson(res.runs);
      else if (res.runs.length === 0) process.stdout.write('no runs\n');
      else
        process.stdout.write(
          `${table([['RUN', 'MODEL', 'STATE', 'VERSION', 'AUC', 'TRIGGER', 'CREATED'], ...res.runs.map((r) => [r.run_id, r.model_name, state(r.state), r.model_version || '-', fmt(r.metrics['auc']), r.trigger || 'manual', isoOf(r.created_at)])])}\n`,
        );
      return 0;
    }
    case 'cancel': {
      const run = await call<trainerV1.Run__Output>(trainerClient(values, true), 'CancelRun', {
        run_id: one('RUN_ID'),
      });
      if (values.json) printJson(run);
      else process.stdout.write(`${run.run_id} is ${state(run.state)}\n`);
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'which train verb?' : `unknown train verb "${verb}"`);
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'start, follow, list and cancel training runs (trainer-coordinator)',
  usage,
  run: (argv) => runVerb('train', () => runTrain(argv)),
};
