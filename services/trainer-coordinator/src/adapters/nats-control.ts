// The control plane on NATS: announcements of alias changes (model.promoted, model.rolledback;
// the payload inference parses), gate alerts, and drift alerts that trigger runs.
//
// Core NATS (at most once) is enough for announcements because the registry is the source of
// truth: a replica that missed one catches up on its registry poll, and a Promote/Rollback
// whose announcement failed re-announces when repeated. Each publish is followed by a flush, so
// "announced" means the server has it, and a publish while disconnected or to a stalled server
// fails (UNAVAILABLE, after at most NATS_PUBLISH_TIMEOUT_MS) instead of sitting in a buffer.
import type { NatsConnection, Subscription } from 'nats';
import {
  MODEL_EVENT_SUBJECTS,
  parseDriftAlert,
  type DriftAlert,
  type DriftAlertAnswer,
  type ModelEventPayload,
} from '@omen/model-registry';
import { connectNats, natsProbe, publishFlushed } from '@omen/service';
import type { Logger } from '@omen/telemetry';

/** JSON body of a gate refusal alert. */
export interface GateAlert {
  kind: 'gate_failed';
  model: string;
  version: string;
  runId: string;
  championVersion?: string;
  metric: string;
  value: number;
  threshold: number;
  failedChecks: string[];
  at: string;
}

export interface ControlPlane {
  announce(
    subject: (typeof MODEL_EVENT_SUBJECTS)[keyof typeof MODEL_EVENT_SUBJECTS],
    payload: ModelEventPayload,
  ): Promise<void>;
  alert(payload: GateAlert): Promise<void>;
  /**
   * Calls `handler` for each well-formed drift alert; when the alert came as a request (reply
   * subject set), the handler's answer is sent back. Returns the unsubscribe function.
   */
  onDriftAlert(subject: string, handler: (alert: DriftAlert) => Promise<DriftAlertAnswer> | void): () => void;
  /** Answers once the server does (watchDependency's probe). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface NatsControlOptions {
  url: string;
  alertSubject: string;
  logger: Logger;
  onStatus?: (up: boolean) => void;
}

export async function connectControlPlane(options: NatsControlOptions): Promise<ControlPlane> {
  const { logger } = options;
  const nc: NatsConnection = await connectNats({
    url: options.url,
    name: 'trainer-coordinator',
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const subs: Subscription[] = [];
  const publish = (subject: string, payload: unknown): Promise<void> =>
    publishFlushed(nc, subject, JSON.stringify(payload));
  return {
    announce: (subject, payload) => publish(subject, payload),
    alert: (payload) => publish(options.alertSubject, payload),
    probe: natsProbe(nc),
    onDriftAlert(subject, handler) {
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) {
            logger.warn({ err, subject }, 'drift subscription error');
            return;
          }
          const alert = parseDriftAlert(msg.data);
          if (typeof alert === 'string') {
            logger.warn({ subject, problem: alert }, 'ignoring malformed drift alert: %s', alert);
            if (msg.reply)
              msg.respond(
                JSON.stringify({
                  status: 'failed',
                  detail: `malformed drift alert: ${alert}`,
                } satisfies DriftAlertAnswer),
              );
            return;
          }
          const answer = handler(alert);
          if (answer && msg.reply) {
            void answer.then(
              (a) => msg.respond(JSON.stringify(a)),
              (err: unknown) =>
                msg.respond(
                  JSON.stringify({ status: 'failed', detail: (err as Error).message } satisfies DriftAlertAnswer),
                ),
            );
          }
        },
      });
      subs.push(sub);
      return () => sub.unsubscribe();
    },
    async close() {
      for (const s of subs) s.unsubscribe();
      await nc.drain().catch(() => nc.close());
    },
  };
}
