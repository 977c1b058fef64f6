// A training run as the coordinator keeps it (one JSON file per run) and as the gRPC layer
// translates it. States are the proto's names so the two never drift apart.
import type { DataCheck, GateDecision, Selection } from './domain/index.ts';

export type RunState =
  | 'RUN_STATE_PENDING'
  | 'RUN_STATE_BUILDING_DATASET'
  | 'RUN_STATE_TRAINING'
  | 'RUN_STATE_EVALUATING'
  | 'RUN_STATE_SUCCEEDED'
  | 'RUN_STATE_REJECTED'
  | 'RUN_STATE_FAILED'
  | 'RUN_STATE_CANCELLED';

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set([
  'RUN_STATE_SUCCEEDED',
  'RUN_STATE_REJECTED',
  'RUN_STATE_FAILED',
  'RUN_STATE_CANCELLED',
]);

export type RunTrigger = 'manual' | 'schedule' | 'drift' | 'labels';
export const RUN_TRIGGERS: readonly RunTrigger[] = ['manual', 'schedule', 'drift', 'labels'];

export interface RunSpec {
  model: string;
  featureSet: { name: string; version: number };
  /** ISO time: nothing known after it is used. */
  cutoff: string;
  from?: string;
  repoIds: string[];
  /** Model kind (logistic, gbdt, ensemble) or auto (chosen per run on the validation slice). */
  algorithm: string;
  params: Record<string, string>;
  autoPromote: boolean;
  reason: string;
  trigger: RunTrigger;
  /** `clickhouse` or `csv:<path>`. */
  rowSource: string;
  testFraction: number;
  gapSeconds: number;
}

export interface RunEventRecord {
  state: RunState;
  message: string;
  progress: number;
  time: string;
}

export interface RunRecord extends RunSpec {
  id: string;
  state: RunState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  metrics: Record<string, number>;
  gate?: GateDecision;
  modelVersion?: string;
  error?: string;
  trainRows: number;
  validationRows: number;
  testRows: number;
  gapRows: number;
  labelRate?: number;
  testLabelRate?: number;
  labelsExcluded: number;
  dataFrom?: string;
  dataTo?: string;
  dataChecks: Array<Omit<DataCheck, 'required'>>;
  /** Algorithm auto: the winner and every candidate's validation scores (absent in older records). */
  selection?: Selection;
  events: RunEventRecord[];
}
