// Who may call what, for every RPC of every omen service, in one table. Services do not list
// their own protected methods: a table here is one place to review, and a unit test checks it
// against protos/ so a new RPC cannot ship without a role.

/** Ordered: each role may do everything the ones before it may. */
export const ROLES = ['reader', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether a caller holding `held` may call a method that needs `needed`. */
export function grants(held: readonly Role[], needed: Role): boolean {
  const rank = ROLES.indexOf(needed);
  return held.some((r) => ROLES.indexOf(r) >= rank);
}

/**
 * The least role each method needs, by full path. `reader` methods are open unless the server
 * runs with GRPC_REQUIRE_AUTH (then any valid credential will do); `operator` (experiments,
 * training) and `admin` (what changes the model traffic sees, or what enters the registry) always
 * need a credential with that role. The static ADMIN_TOKEN holds `admin`.
 */
export const METHOD_ROLES: Readonly<Record<string, Role>> = {
  '/omen.ingest.v1.Ingest/PublishCommit': 'reader',
  '/omen.ingest.v1.Ingest/PublishCommits': 'reader',

  '/omen.featurizer.v1.Featurizer/GetFeatures': 'reader',
  '/omen.featurizer.v1.Featurizer/ListFeatureSets': 'reader',
  '/omen.featurizer.v1.Featurizer/ListOffsetGaps': 'reader',
  '/omen.featurizer.v1.Featurizer/AcceptOffsetGap': 'admin',

  '/omen.trainer.v1.Trainer/GetRun': 'reader',
  '/omen.trainer.v1.Trainer/ListRuns': 'reader',
  '/omen.trainer.v1.Trainer/WatchRun': 'reader',
  '/omen.trainer.v1.Trainer/ListModels': 'reader',
  '/omen.trainer.v1.Trainer/ListVersions': 'reader',
  '/omen.trainer.v1.Trainer/GetModel': 'reader',
  '/omen.trainer.v1.Trainer/GetAliases': 'reader',
  // The model itself: behind a credential whenever GRPC_REQUIRE_AUTH is on (deploy/ turns it on).
  '/omen.trainer.v1.Trainer/GetArtifact': 'reader',
  '/omen.trainer.v1.Trainer/StartRun': 'operator',
  '/omen.trainer.v1.Trainer/CancelRun': 'operator',
  '/omen.trainer.v1.Trainer/Promote': 'admin',
  '/omen.trainer.v1.Trainer/Rollback': 'admin',
  '/omen.trainer.v1.Trainer/ImportModel': 'admin',

  '/omen.inference.v1.Inference/Predict': 'reader',
  '/omen.inference.v1.Inference/PredictBatch': 'reader',
  '/omen.inference.v1.Inference/PredictStream': 'reader',
  '/inference.GRPCInferenceService/ServerLive': 'reader',
  '/inference.GRPCInferenceService/ServerReady': 'reader',
  '/inference.GRPCInferenceService/ModelReady': 'reader',
  '/inference.GRPCInferenceService/ServerMetadata': 'reader',
  '/inference.GRPCInferenceService/ModelMetadata': 'reader',
  '/inference.GRPCInferenceService/ModelInfer': 'reader',

  '/omen.drift.v1.DriftDetector/GetDriftReport': 'reader',
  '/omen.drift.v1.DriftDetector/ListDriftReports': 'reader',
  '/omen.drift.v1.DriftDetector/ListPerformance': 'reader',

  '/omen.abrouter.v1.AbRouter/Route': 'reader',
  '/omen.abrouter.v1.AbRouter/Predict': 'reader',
  '/omen.abrouter.v1.AbRouter/GetExperiment': 'reader',
  '/omen.abrouter.v1.AbRouter/ListExperiments': 'reader',
  '/omen.abrouter.v1.AbRouter/CreateExperiment': 'operator',
  '/omen.abrouter.v1.AbRouter/StopExperiment': 'operator',
};

/**
 * Methods whose every call goes to the audit trail (audit.events.v1) with the caller's identity
 * and the outcome, refusals included: whatever needs more than `reader`, and the answers the
 * model gives (served predictions).
 */
export const AUDITED_METHODS: ReadonlySet<string> = new Set([
  ...Object.entries(METHOD_ROLES)
    .filter(([, role]) => role !== 'reader')
    .map(([path]) => path),
  '/omen.inference.v1.Inference/Predict',
  '/omen.inference.v1.Inference/PredictBatch',
  '/omen.inference.v1.Inference/PredictStream',
  '/inference.GRPCInferenceService/ModelInfer',
  '/omen.abrouter.v1.AbRouter/Predict',
]);
