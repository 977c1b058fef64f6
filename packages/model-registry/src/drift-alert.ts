// The drift detector's retraining alert and the trainer-coordinator's answer to it: a NATS
// request on the drift subject (the detector's DRIFT_ALERT_SUBJECT, the trainer's
// TRAINER_DRIFT_SUBJECT; drift.alert by default), JSON both ways. The two services read and
// write them through this module only. Parsers return a reason string instead of throwing, so a
// subscriber answers or logs a bad message and keeps its subscription.
import { parseJsonObject } from '@omen/service';

/** A drift alert as the trainer reads it: only `model` is required. */
export interface DriftAlert {
  model: string;
  version?: string;
  reason?: string;
}

/**
 * The trainer's answer to a drift alert sent as a NATS request (a reply subject set): the run it
 * started, or why it started none. The drift-detector stores it with the drifted report
 * (retraining_run_id / retraining_status).
 */
export type DriftAlertAnswer = { status: 'started'; runId: string } | { status: 'refused' | 'failed'; detail: string };

export function parseDriftAlert(data: Uint8Array): DriftAlert | string {
  const b = parseJsonObject(data);
  if (typeof b === 'string') return b;
  const model = b['model'] ?? b['model_name'];
  if (typeof model !== 'string' || model === '') return 'payload has no "model" string';
  const version = b['version'] ?? b['model_version'];
  return {
    model,
    ...(typeof version === 'string' ? { version } : {}),
    ...(typeof b['reason'] === 'string' ? { reason: b['reason'] } : {}),
  };
}

/** Reads the trainer's reply to an alert; what is wrong with it otherwise. */
export function parseDriftAlertAnswer(data: Uint8Array): DriftAlertAnswer | string {
  let b: unknown;
  try {
    b = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'the trainer answered the alert with something that is not JSON';
  }
  const a = (typeof b === 'object' && b !== null ? b : {}) as { status?: unknown; runId?: unknown; detail?: unknown };
  if (a.status === 'started' && typeof a.runId === 'string' && a.runId !== '')
    return { status: 'started', runId: a.runId };
  if ((a.status === 'refused' || a.status === 'failed') && typeof a.detail === 'string')
    return { status: a.status, detail: a.detail };
  return `the trainer's answer has no run id or reason: ${JSON.stringify(b).slice(0, 200)}`;
}
