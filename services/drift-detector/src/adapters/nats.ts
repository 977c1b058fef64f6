// NATS both ways: model.promoted / model.rolledback in (the reference follows the champion) and
// drift.alert out (JSON { model, version, reason }, what the trainer-coordinator's drift trigger
// reads) as a request: the trainer answers with the run it started or why it started none
// (DriftAlertAnswer; both messages are @omen/model-registry's), at most one alert per model per
// cooldown. Core NATS, no persistence: a missed promotion heals on the registry poll, and a
// drifted window alerts again after the cooldown if drift stays.
import { ErrorCode, type NatsConnection, type NatsError } from 'nats';
import {
  MODEL_EVENT_SUBJECTS,
  parseDriftAlertAnswer,
  parseModelEvent,
  type DriftAlert,
  type DriftAlertAnswer,
} from '@omen/model-registry';
import { connectNats, natsProbe } from '@omen/service';
import type { Logger } from '@omen/telemetry';

/**
 * What an alert led to. `started` / `refused` / `failed` are the trainer's answer (the
 * DriftAlertAnswer: the run id, or its refusal — cooldown, a run in progress); `cooldown`: not
 * sent, the model alerted within this detector's cooldown; `unanswered`: sent, but no trainer
 * answered (none subscribed, or one too old to reply).
 */
export type AlertOutcome = DriftAlertAnswer | { status: 'cooldown' | 'unanswered'; detail: string };

/** Reads the trainer's reply; anything else is `failed` with what was wrong. */
export function parseAlertAnswer(data: Uint8Array): AlertOutcome {
  const answer = parseDriftAlertAnswer(data);
  return typeof answer === 'string' ? { status: 'failed', detail: answer } : answer;
}

export interface DriftNats {
  /**
   * Sends the alert as a request unless the model alerted within the cooldown, and resolves with
   * the trainer's answer; rejects only when the alert could not be sent.
   */
  alert(alert: DriftAlert, now?: number): Promise<AlertOutcome>;
  /** Answers once the server does (watchDependency's probe). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface DriftNatsOptions {
  url: string;
  alertSubject: string;
  cooldownMs: number;
  /** How long to wait for the trainer's answer. @default 5000 */
  replyTimeoutMs?: number;
  models: readonly string[];
  /** A promotion or rollback of a watched model. */
  onModelEvent: (model: string) => void;
  logger: Logger;
  onStatus?: (up: boolean) => void;
}

/** Decides whether an alert may go out; pure, so the cooldown is testable without NATS. */
export class AlertCooldown {
  readonly #last = new Map<string, number>();
  readonly #cooldownMs: number;

  constructor(cooldownMs: number) {
    this.#cooldownMs = cooldownMs;
  }

  take(model: string, now: number): boolean {
    const prev = this.#last.get(model);
    if (prev !== undefined && now - prev < this.#cooldownMs) return false;
    this.#last.set(model, now);
    return true;
  }

  /** Gives a taken slot back (the publish failed). */
  release(model: string, at: number): void {
    if (this.#last.get(model) === at) this.#last.delete(model);
  }
}

export async function connectDriftNats(options: DriftNatsOptions): Promise<DriftNats> {
  const { logger } = options;
  const nc: NatsConnection = await connectNats({
    url: options.url,
    name: 'drift-detector',
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  for (const subject of [MODEL_EVENT_SUBJECTS.promoted, MODEL_EVENT_SUBJECTS.rolledBack]) {
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          logger.warn({ err, subject }, 'model event subscription error');
          return;
        }
        const event = parseModelEvent(msg.data);
        if (typeof event === 'string') {
          logger.warn({ subject, problem: event }, 'ignoring malformed model event: %s', event);
          return;
        }
        if (options.models.includes(event.model)) options.onModelEvent(event.model);
      },
    });
  }
  await nc.flush();
  const cooldown = new AlertCooldown(options.cooldownMs);
  return {
    async alert(alert, now = Date.now()) {
      if (!cooldown.take(alert.model, now))
        return {
          status: 'cooldown',
          detail: `an alert for ${alert.model} went out less than ${options.cooldownMs} ms ago (DRIFT_ALERT_COOLDOWN)`,
        };
      const timeout = options.replyTimeoutMs ?? 5000;
      try {
        const reply = await nc.request(options.alertSubject, JSON.stringify(alert), { timeout });
        return parseAlertAnswer(reply.data);
      } catch (err) {
        const code: string = (err as NatsError).code;
        // Both mean the alert went out (the slot stays taken): nobody listens, or nobody answers.
        if (code === String(ErrorCode.NoResponders))
          return {
            status: 'unanswered',
            detail: `nothing subscribes to ${options.alertSubject}: no trainer-coordinator with TRAINER_TRIGGER_DRIFT`,
          };
        if (code === String(ErrorCode.Timeout))
          return {
            status: 'unanswered',
            detail: `no answer on ${options.alertSubject} within ${timeout} ms (no trainer, or one that does not reply with its run id)`,
          };
        cooldown.release(alert.model, now);
        throw err;
      }
    },
    probe: natsProbe(nc),
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}
