import { parseArgs } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type abrouterV1 } from '@omen/contracts';
import { createClient } from '@omen/grpc';
import { UsageError, type Command } from '../command.ts';
import { localAdminToken, servicePorts } from '../local-services.ts';
import { callService, fmt, isoOf, printJson, runVerb, table } from './models.ts';

// ab-router's experiments from the command line: every call goes over gRPC to the running
// service (./scripts/omen services up). The JSON of an experiment carries its decision and, per
// arm, the label-joined metrics (auc, brier, log_loss, calibration_error, precision, recall,
// recall_at_20_effort) with their intervals.

const usage = `
usage: ./scripts/omen experiments create --model M --challenger VERSION [--control VERSION] [--name N]
                                  [--ramp 0.05,0.25,0.5] [--primary brier|log_loss|auc] [--unit repo|commit]
                                  [--min-units N] [--min-labelled N] [--maturity SECONDS]
                                  [--mde X] [--power P] [--stddev S] [--alpha A] [--error-rate-max R]
       ./scripts/omen experiments list [--model M] [--state running|stopped|rolled_back|promoted]
       ./scripts/omen experiments get ID
       ./scripts/omen experiments stop ID [--reason TEXT]

  create  a canary: control (default: champion) against the challenger version, ramped stage by
          stage; decides by itself on the primary ground-truth metric with an always-valid
          sequential test (promote through the trainer, or roll back); prints the fixed-horizon
          sample size per arm for --mde/--power
  list    experiments, newest first, with state, stage and last decision
  get     one experiment: weights, SRM, per-arm label-joined metrics with intervals, sequential
          tests, last decision with its reason
  stop    stop a running experiment (traffic passes through to production)

  --addr HOST:PORT  ab-router (default: ABROUTER_ADDR, else 127.0.0.1:${servicePorts('ab-router').grpc})
  --token TOKEN     operator/admin token for create and stop (default: ADMIN_TOKEN, else .omen/admin-token)
  --json            print the response as JSON
`;

type Experiment = abrouterV1.Experiment__Output;
type Client = { client: grpc.Client; address: string; service: string };

function abRouter(values: { addr?: string | undefined; token?: string | undefined }, admin: boolean): Client {
  const address = values.addr ?? process.env['ABROUTER_ADDR'] ?? `127.0.0.1:${servicePorts('ab-router').grpc}`;
  const token = admin ? (values.token ?? process.env['ADMIN_TOKEN'] ?? localAdminToken().token) : undefined;
  const { AbRouter } = loadGrpcObject('abrouter').omen.abrouter.v1;
  return {
    client: createClient(
      AbRouter as unknown as new (a: string, c: grpc.ChannelCredentials, o?: grpc.ClientOptions) => grpc.Client,
      address,
      { deadlineMs: 30_000, ...(token ? { token } : {}) },
    ),
    address,
    service: 'ab-router',
  };
}

/** One call on a client made for it: `callService`'s failure line, then the channel closes. */
async function call<Res>(c: Client, method: string, request: unknown): Promise<Res> {
  try {
    return await callService<Res>(c, method, request);
  } finally {
    c.client.close();
  }
}

const state = (s: string) => s.replace('EXPERIMENT_STATE_', '').toLowerCase();

type Est = abrouterV1.Estimate__Output | null | undefined;
const value = (e: Est) => (e?.value === undefined || e.value === null ? null : e.value);
const est = (e: Est) => (e ? { value: value(e), low: e.low ?? null, high: e.high ?? null } : null);

/** The JSON of an experiment: proto fields, per-arm metrics flattened (`auc`, `brier`, ...) and the decision's evidence parsed. */
export function experimentJson(e: Experiment): Record<string, unknown> {
  return {
    experiment_id: e.experiment_id,
    name: e.spec?.name,
    model_name: e.spec?.model_name,
    state: state(e.state),
    arms: e.spec?.arms.map((a) => ({ name: a.name, model_version: a.model_version })),
    primary_metric: e.spec?.primary_metric,
    stage: e.stage,
    current_weights: e.current_weights,
    sample_size: e.sample_size
      ? {
          metric: e.sample_size.metric,
          treatment: Number(e.sample_size.treatment),
          control: Number(e.sample_size.control),
        }
      : null,
    created_at: isoOf(e.created_at),
    stopped_at: isoOf(e.stopped_at),
    stop_reason: e.stop_reason || null,
    srm: e.srm ?? null,
    sequential: e.sequential.map((s) => ({ ...s, n: Number(s.n) })),
    decision: e.decision
      ? {
          action: e.decision.action,
          reason: e.decision.reason,
          at: isoOf(e.decision.at),
          stage: e.decision.stage,
          evidence: e.decision.evidence_json
            ? ((JSON.parse(e.decision.evidence_json) as { evidence?: unknown }).evidence ?? null)
            : null,
        }
      : null,
    outcomes: e.outcomes.map((o) => ({
      arm: o.arm,
      labelled: Number(o.labelled),
      positives: Number(o.positives),
      auc: value(o.auc),
      brier: value(o.brier),
      log_loss: value(o.log_loss),
      calibration_error: value(o.calibration_error),
      precision: value(o.precision),
      recall: value(o.recall),
      recall_at_20_effort: value(o.recall_at_20_effort),
      intervals: {
        auc: est(o.auc),
        brier: est(o.brier),
        log_loss: est(o.log_loss),
        calibration_error: est(o.calibration_error),
        precision: est(o.precision),
        recall: est(o.recall),
        recall_at_20_effort: est(o.recall_at_20_effort),
      },
    })),
    stats: e.stats,
  };
}

const interval = (e: Est) =>
  value(e) === null ? '-' : `${fmt(value(e)!, 3)} [${fmt(e?.low ?? undefined, 3)}, ${fmt(e?.high ?? undefined, 3)}]`;

function printExperiment(e: Experiment): void {
  const s = e.spec!;
  const lines = [
    `${e.experiment_id}  ${s.name}  ${state(e.state)}`,
    `  model        ${s.model_name}: ${s.arms.map((a, i) => `${a.name}=${a.model_version} ${fmt((e.current_weights[i] ?? 0) * 100, 1)}%`).join(', ')}${s.canary ? `  (stage ${e.stage + 1} of ${s.canary.ramp.length}: ramp ${s.canary.ramp.join(' → ')})` : ''}`,
    `  created      ${isoOf(e.created_at)}${e.stopped_at ? `, ended ${isoOf(e.stopped_at)}: ${e.stop_reason}` : ''}`,
  ];
  if (e.sample_size)
    lines.push(
      `  sample size  ${e.sample_size.treatment} challenger / ${e.sample_size.control} control units for ${e.sample_size.metric} (mde ${s.canary?.mde}, power ${s.canary?.power}, fixed horizon)`,
    );
  if (e.srm)
    lines.push(
      `  SRM          χ² ${fmt(e.srm.chi2, 2)}, p ${fmt(e.srm.p_value, 4)}${e.srm.mismatch ? '  MISMATCH: decisions blocked' : ''}`,
    );
  if (e.outcomes.length > 0) {
    lines.push('  ground truth (matured labels; 95% intervals unless alpha says otherwise)');
    lines.push(
      ...table([
        ['    ARM', 'LABELLED', 'AUC', 'BRIER', 'LOG LOSS', 'ECE', 'PRECISION', 'RECALL', 'R@20%'],
        ...e.outcomes.map((o) => [
          `    ${o.arm}`,
          `${o.labelled} (${o.positives}+)`,
          interval(o.auc),
          interval(o.brier),
          interval(o.log_loss),
          interval(o.calibration_error),
          interval(o.precision),
          interval(o.recall),
          interval(o.recall_at_20_effort),
        ]),
      ]).split('\n'),
    );
  }
  for (const t of e.sequential)
    lines.push(
      `  sequential   ${t.metric}: challenger − control ${fmt(t.diff, 4)}, always-valid [${fmt(t.low, 4)}, ${fmt(t.high, 4)}] over ${t.n}: ${t.verdict}`,
    );
  if (e.decision) lines.push(`  decision     ${e.decision.action} at ${isoOf(e.decision.at)}: ${e.decision.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function num(v: string | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`--${option} must be a number; got "${v}"`);
  return x;
}

async function runExperiments(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      addr: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
      name: { type: 'string' },
      control: { type: 'string' },
      challenger: { type: 'string' },
      ramp: { type: 'string' },
      primary: { type: 'string' },
      unit: { type: 'string' },
      'min-units': { type: 'string' },
      'min-labelled': { type: 'string' },
      maturity: { type: 'string' },
      mde: { type: 'string' },
      power: { type: 'string' },
      stddev: { type: 'string' },
      alpha: { type: 'string' },
      'error-rate-max': { type: 'string' },
      state: { type: 'string' },
      reason: { type: 'string' },
    },
  });
  const [verb, ...args] = positionals;
  const need = (n: number, what: string): string[] => {
    if (args.length !== n) throw new UsageError(`experiments ${verb} takes ${what}`);
    return args;
  };
  switch (verb) {
    case 'create': {
      need(0, 'options only');
      if (!values.model || !values.challenger) throw new UsageError('--model and --challenger are required');
      const ramp = values.ramp?.split(',').map((x) => num(x.trim(), 'ramp')!);
      const errorMax = num(values['error-rate-max'], 'error-rate-max') ?? 0.05;
      const e = await call<Experiment>(abRouter(values, true), 'CreateExperiment', {
        spec: {
          name: values.name ?? `${values.model}: ${values.challenger} vs ${values.control ?? 'champion'}`,
          model_name: values.model,
          unit: values.unit ?? 'commit',
          arms: [
            { name: 'control', model_version: values.control ?? 'champion', weight: 1 },
            { name: 'challenger', model_version: values.challenger, weight: 1 },
          ],
          primary_metric: values.primary ?? '',
          alpha: num(values.alpha, 'alpha') ?? 0,
          guardrails: [
            { metric: 'error_rate', direction: 'GUARDRAIL_DIRECTION_MAX', threshold: errorMax, min_units: 50 },
          ],
          canary: {
            ramp: ramp ?? [],
            min_units_per_stage: values['min-units'] ?? '0',
            min_labelled: values['min-labelled'] ?? '0',
            label_maturity_seconds: values.maturity ?? '0',
            mde: num(values.mde, 'mde') ?? 0,
            power: num(values.power, 'power') ?? 0,
            baseline_stddev: num(values.stddev, 'stddev') ?? 0,
          },
        },
      });
      if (values.json) printJson(experimentJson(e));
      else printExperiment(e);
      return 0;
    }
    case 'list': {
      need(0, 'no positional arguments');
      const st = values.state ? `EXPERIMENT_STATE_${values.state.toUpperCase()}` : 'EXPERIMENT_STATE_UNSPECIFIED';
      const res = await call<abrouterV1.ListExperimentsResponse__Output>(abRouter(values, false), 'ListExperiments', {
        model_name: values.model ?? '',
        state: st,
      });
      if (values.json) printJson(res.experiments.map(experimentJson));
      else if (res.experiments.length === 0) process.stdout.write('no experiments\n');
      else
        process.stdout.write(
          `${table([['ID', 'MODEL', 'STATE', 'ARMS', 'STAGE', 'DECISION', 'CREATED'], ...res.experiments.map((e) => [e.experiment_id, e.spec?.model_name ?? '-', state(e.state), e.spec?.arms.map((a) => a.model_version).join(' vs ') ?? '-', e.spec?.canary ? `${e.stage + 1}/${e.spec.canary.ramp.length}` : '-', e.decision?.action ?? '-', isoOf(e.created_at)])])}\n`,
        );
      return 0;
    }
    case 'get': {
      const [id] = need(1, 'ID');
      const e = await call<Experiment>(abRouter(values, false), 'GetExperiment', { experiment_id: id });
      if (values.json) printJson(experimentJson(e));
      else printExperiment(e);
      return 0;
    }
    case 'stop': {
      const [id] = need(1, 'ID');
      const e = await call<Experiment>(abRouter(values, true), 'StopExperiment', {
        experiment_id: id,
        reason: values.reason ?? '',
      });
      if (values.json) printJson(experimentJson(e));
      else
        process.stdout.write(`${e.experiment_id} is ${state(e.state)}${e.stop_reason ? `: ${e.stop_reason}` : ''}\n`);
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'which experiments verb?' : `unknown experiments verb "${verb}"`);
  }
}

export const experimentsCommand: Command = {
  name: 'experiments',
  summary: 'create, list, inspect and stop canary experiments (ab-router): decisions and label-joined metrics per arm',
  usage,
  run: (argv) => runVerb('experiments', () => runExperiments(argv)),
};
