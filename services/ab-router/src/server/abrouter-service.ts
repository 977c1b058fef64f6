// omen.abrouter.v1.AbRouter: translation between the proto and the Router. CreateExperiment and
// StopExperiment change what traffic sees and need the operator role (@omen/auth's METHOD_ROLES);
// Route, Predict and the reads are open unless GRPC_REQUIRE_AUTH puts every RPC behind it.
import type * as grpc from '@grpc/grpc-js';
import type { InferenceClient, abrouterV1, inferenceV1 } from '@omen/contracts';
import { InvalidArgumentError, isOmenError } from '@omen/errors';
import { inputsSha256 } from '@omen/audit';
import { annotateAudit, unary } from '@omen/grpc';
import { checkId, checkName, repoIdProblem } from '@omen/ids';
import type { Histogram } from '@omen/telemetry';
import { canarySampleSize, type SequentialResult } from '../domain/decide.ts';
import { srm } from '../domain/sequential.ts';
import { currentWeights, validateSpec, type ExperimentRecord, type ExperimentStateName } from '../domain/experiment.ts';
import type { Estimate } from '../domain/outcomes.ts';
import type { Evaluation, StoredDecision } from '../evaluator.ts';
import { newRequestKey, type ArmStatsView, type Router } from '../router.ts';

export interface AbRouterServiceOptions {
  defaultModel: string;
  inferenceDeadlineMs: number;
  /** Time spent in inference per Predict, by whether an experiment routed it. */
  inferenceSeconds?: Histogram<'routed' | 'outcome'>;
}

type Ts = { seconds: string; nanos: number };
const timestamp = (ms: number | undefined): Ts | null =>
  ms === undefined ? null : { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };

const STATE_NAMES: Record<ExperimentStateName, abrouterV1.ExperimentState__Output> = {
  RUNNING: 'EXPERIMENT_STATE_RUNNING',
  STOPPED: 'EXPERIMENT_STATE_STOPPED',
  ROLLED_BACK: 'EXPERIMENT_STATE_ROLLED_BACK',
  PROMOTED: 'EXPERIMENT_STATE_PROMOTED',
};

function stateFilter(s: string | number | undefined): ExperimentStateName | undefined {
  if (s === undefined || s === 0 || s === 'EXPERIMENT_STATE_UNSPECIFIED' || s === '') return undefined;
  const found = (Object.entries(STATE_NAMES) as [ExperimentStateName, string][]).find(
    ([, proto], i) => proto === s || i + 1 === s,
  );
  if (!found) throw new InvalidArgumentError(`state: unknown experiment state ${String(s)}`, 'state');
  return found[0];
}

export function experimentMessage(r: ExperimentRecord, stats: ArmStatsView[] = []): abrouterV1.Experiment {
  const s = r.spec;
  return {
    experiment_id: r.id,
    spec: {
      name: s.name,
      description: s.description,
      model_name: s.modelName,
      arms: s.arms.map((a) => ({ name: a.name, model_version: a.modelVersion, weight: a.weight })),
      unit: s.unit,
      primary_metric: s.primaryMetric,
      metrics: s.metrics,
      guardrails: s.guardrails.map((g) => ({
        metric: g.metric,
        direction: g.direction === 'MAX' ? 'GUARDRAIL_DIRECTION_MAX' : 'GUARDRAIL_DIRECTION_MIN',
        threshold: g.threshold,
        min_units: String(g.minUnits),
      })),
      alpha: s.alpha,
      canary: s.canary
        ? {
            ramp: s.canary.ramp,
            min_units_per_stage: String(s.canary.minUnitsPerStage),
            min_labelled: String(s.canary.minLabelled),
            label_maturity_seconds: String(Math.round(s.canary.labelMaturityMs / 1000)),
            threshold: s.canary.threshold,
            mde: s.canary.mde,
            power: s.canary.power,
            baseline_stddev: s.canary.baselineStddev,
          }
        : null,
    },
    state: STATE_NAMES[r.state],
    created_at: timestamp(r.createdAt),
    stopped_at: timestamp(r.stoppedAt),
    stop_reason: r.stopReason ?? '',
    stats: stats.map((a) => ({
      arm: a.arm,
      units: String(a.units),
      metrics: a.metrics.map((m) => ({
        metric: m.metric,
        count: String(m.summary.count),
        mean: m.summary.mean,
        stddev: m.summary.stddev,
        ...(m.lift !== undefined ? { lift: m.lift } : {}),
        ...(m.pValue !== undefined ? { p_value: m.pValue } : {}),
        ...(m.ciLow !== undefined ? { ci_low: m.ciLow, ci_high: m.ciHigh } : {}),
      })),
    })),
    ...canaryFields(r),
    ...unitsSrm(r, stats),
  };
}

/**
 * A plain experiment's sample-ratio check on its units so far (a canary's comes from its last
 * evaluation, over the current stage's units): the report and a person need it as much as a canary.
 */
function unitsSrm(r: ExperimentRecord, stats: ArmStatsView[]): Partial<abrouterV1.Experiment> {
  if (r.spec.canary) return {};
  const units = r.spec.arms.map((arm) => stats.find((a) => a.arm === arm.name)?.units ?? 0);
  const s = srm(
    units,
    r.spec.arms.map((arm) => arm.weight),
  );
  return s ? { srm: { chi2: s.chi2, p_value: s.pValue, mismatch: s.mismatch } } : {};
}

const estimate = (e: Estimate | undefined): abrouterV1.Estimate => ({
  ...(e?.value !== undefined && e.value !== null ? { value: e.value } : {}),
  ...(e?.low !== undefined && e.low !== null ? { low: e.low } : {}),
  ...(e?.high !== undefined && e.high !== null ? { high: e.high } : {}),
});

const sequential = (t: SequentialResult): abrouterV1.SequentialTest => ({
  metric: t.metric,
  diff: t.diff,
  low: t.low,
  high: t.high,
  n: String(t.n),
  verdict: t.verdict,
});

/** A canary's stage, weights, sample size, last evaluation (outcomes, SRM, sequential tests) and last decision. */
function canaryFields(r: ExperimentRecord): Partial<abrouterV1.Experiment> {
  const stage = r.stage ?? 0;
  const out: Partial<abrouterV1.Experiment> = { stage, current_weights: currentWeights(r.spec, stage) };
  if (r.spec.canary) {
    const size = canarySampleSize({ ...r.spec, canary: r.spec.canary });
    out.sample_size = {
      metric: r.spec.primaryMetric,
      treatment: String(size.treatment),
      control: String(size.control),
    };
  }
  if (r.evaluation) {
    const ev = JSON.parse(r.evaluation) as Evaluation;
    out.outcomes = Object.entries(ev.outcomes).map(([arm, o]) => ({
      arm,
      labelled: String(o.n),
      positives: String(o.positives),
      auc: estimate(o.auc),
      brier: estimate(o.brier),
      log_loss: estimate(o.logLoss),
      calibration_error: estimate(o.ece),
      precision: estimate(o.precision),
      recall: estimate(o.recall),
      recall_at_20_effort: estimate(o.recallAt20Effort),
    }));
    if (ev.evidence.srm)
      out.srm = { chi2: ev.evidence.srm.chi2, p_value: ev.evidence.srm.pValue, mismatch: ev.evidence.srm.mismatch };
    out.sequential = [...(ev.evidence.primary ? [ev.evidence.primary] : []), ...ev.evidence.guardrails].map(sequential);
  }
  if (r.decision) {
    const d = JSON.parse(r.decision) as StoredDecision;
    out.decision = {
      action: d.action,
      reason: d.reason,
      at: timestamp(d.at),
      stage: d.stage,
      evidence_json: r.decision,
    };
  }
  return out;
}

/** The unit of a request: the explicit one, else the commit's repo (unit "repo") or sha (unit "commit"). */
export function unitOf(request: inferenceV1.PredictRequest__Output, unit: 'repo' | 'commit', explicit: string): string {
  if (explicit) return explicit;
  const repo = request.commit?.repo_id || request.features?.repo_id || '';
  const sha = request.commit?.sha || request.features?.entity_id || '';
  const id = unit === 'repo' ? repo : sha;
  if (!id)
    throw new InvalidArgumentError(
      `unit_id: empty, and the request carries no ${unit === 'repo' ? 'repo_id' : 'sha/entity_id'} to derive the unit from`,
      'unit_id',
    );
  return id;
}

// Failures that are the caller's, not the arm's: they do not count against the arm's error rate.
const CALLER_FAULTS: ReadonlySet<string> = new Set([
  'INVALID_ARGUMENT',
  'CANCELLED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
]);

const isArmFailure = (err: unknown): boolean => !isOmenError(err) || !CALLER_FAULTS.has(err.code);

export function abRouterHandlers(
  router: Router,
  inference: InferenceClient,
  options: AbRouterServiceOptions,
): grpc.UntypedServiceImplementation {
  const model = (name: string) => (name ? checkName(name, 'model_name') : options.defaultModel);
  // Empty asks for the model's active experiment; anything else must be a well-formed id.
  const experimentId = (id: string) => (id ? checkId(id, 'experiment_id') : id);
  const handlers: abrouterV1.AbRouterHandlers = {
    Route: unary<abrouterV1.RouteRequest__Output, abrouterV1.RouteResponse>(async (req) => {
      const modelName = model(req.model_name);
      const experiment = await router.experimentFor(experimentId(req.experiment_id), modelName);
      if (!experiment) return { experiment_id: '', arm: '', model_name: modelName, model_version: '' };
      if (!req.unit_id) throw new InvalidArgumentError('unit_id: is required to route within an experiment', 'unit_id');
      const arm = router.assign(experiment, req.unit_id);
      router.recordAssignment({ experiment, arm }, req.unit_id, experiment.spec.unit === 'repo' ? req.unit_id : '*');
      return { experiment_id: experiment.id, arm: arm.name, model_name: modelName, model_version: arm.modelVersion };
    }),

    Predict: unary<abrouterV1.RoutePredictRequest__Output, abrouterV1.RoutePredictResponse>(async (req, ctx) => {
      const request = req.request;
      if (!request) throw new InvalidArgumentError('request: is required', 'request');
      const modelName = model(request.model_name);
      const requestRepo = request.commit?.repo_id || request.features?.repo_id || '';
      // Only a valid repository id goes into the audit record (its Kafka key and a ClickHouse value).
      const auditRepo = requestRepo !== '' && repoIdProblem(requestRepo) === null ? requestRepo : '';
      annotateAudit(ctx.metadata, {
        model_name: modelName,
        ...(auditRepo ? { repo_id: auditRepo } : {}),
        inputs_sha256: inputsSha256(request.commit ?? request.features ?? null),
      });
      const experiment = await router.experimentFor(experimentId(req.experiment_id), modelName);
      const deadlineMs = Math.min(options.inferenceDeadlineMs, ctx.remainingMs());
      if (!experiment) {
        const started = performance.now();
        const prediction = await inference
          .predict({ ...request, model_name: modelName }, { deadlineMs, signal: ctx.signal })
          .finally(() =>
            options.inferenceSeconds?.observe(
              { routed: 'false', outcome: 'done' },
              (performance.now() - started) / 1000,
            ),
          );
        annotateAudit(ctx.metadata, { model_version: prediction.model_version });
        return { prediction, experiment_id: '', arm: '' };
      }
      const unitId = unitOf(request, experiment.spec.unit, req.unit_id);
      const arm = router.assign(experiment, unitId);
      annotateAudit(ctx.metadata, { experiment_id: experiment.id, arm: arm.name, model_version: arm.modelVersion });
      const routed = { experiment, arm };
      const repoId = request.commit?.repo_id || request.features?.repo_id || '*';
      router.recordAssignment(routed, unitId, repoId);
      const requestKey = newRequestKey(request.request_id);
      const started = performance.now();
      try {
        const prediction = await inference.predict(
          { ...request, model_name: modelName, model_version: arm.modelVersion },
          { deadlineMs, signal: ctx.signal },
        );
        const ms = performance.now() - started;
        options.inferenceSeconds?.observe({ routed: 'true', outcome: 'ok' }, ms / 1000);
        router.observe(routed, unitId, repoId, requestKey, 'latency_ms', ms);
        router.observe(routed, unitId, repoId, requestKey, 'error_rate', 0);
        // The sha rides along so labels can be joined to what this arm served (ground-truth metrics).
        const sha = request.commit?.sha || request.features?.entity_id || prediction.entity_id || '';
        if (Number.isFinite(prediction.bug_probability))
          router.observe(routed, unitId, repoId, requestKey, 'bug_probability', prediction.bug_probability, sha);
        return { prediction, experiment_id: experiment.id, arm: arm.name };
      } catch (err) {
        options.inferenceSeconds?.observe({ routed: 'true', outcome: 'error' }, (performance.now() - started) / 1000);
        if (isArmFailure(err)) router.observe(routed, unitId, repoId, requestKey, 'error_rate', 1);
        throw err;
      }
    }),

    CreateExperiment: unary<abrouterV1.CreateExperimentRequest__Output, abrouterV1.Experiment>(async (req, ctx) => {
      const spec = validateSpec(req.spec);
      annotateAudit(ctx.metadata, { model_name: spec.modelName });
      const created = await router.create(spec);
      annotateAudit(ctx.metadata, { experiment_id: created.id });
      return experimentMessage(created);
    }),

    GetExperiment: unary<abrouterV1.GetExperimentRequest__Output, abrouterV1.Experiment>(async (req) => {
      const r = await router.load(checkId(req.experiment_id, 'experiment_id'));
      return experimentMessage(r, await router.armStats(r));
    }),

    StopExperiment: unary<abrouterV1.StopExperimentRequest__Output, abrouterV1.Experiment>(async (req, ctx) => {
      const id = checkId(req.experiment_id, 'experiment_id');
      annotateAudit(ctx.metadata, { experiment_id: id, ...(req.reason ? { reason: req.reason } : {}) });
      const r = await router.stop(id, req.reason || 'stopped by an operator');
      return experimentMessage(r, await router.armStats(r));
    }),

    ListExperiments: unary<abrouterV1.ListExperimentsRequest__Output, abrouterV1.ListExperimentsResponse>(
      async (req) => {
        const state = stateFilter(req.state);
        await router.refresh();
        return {
          experiments: router
            .list({ modelName: req.model_name, ...(state ? { state } : {}) })
            .map((r) => experimentMessage(r)),
        };
      },
    ),
  };
  return handlers;
}
