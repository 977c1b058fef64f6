// NATS both ways: model.promoted / model.rolledback in (the reference follows the champion) and
// drift.alert out (JSON { model, version, reason }, what the trainer-coordinator's drift trigger
// reads), at most one alert per model per cooldown. Core NATS, no persistence: a missed promotion
// heals on the registry poll, and a drifted window alerts again after the cooldown if drift stays.
import type { NatsConnection } from 'nats';
import { MODEL_EVENT_SUBJECTS, parseModelEvent } from '@omen/model-registry';
import { connectNats, natsProbe, publishFlushed } from '@omen/service';
import type { Logger } from '@omen/telemetry';

export interface DriftAlert {
  model: string;
  version: string;
  reason: string;
}

export interface DriftNats {
  /** Publishes unless the model alerted within the cooldown; resolves with whether it published. */
  alert(alert: DriftAlert, now?: number): Promise<boolean>;
  /** Answers once the server does (watchDependency's probe). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface DriftNatsOptions {
  url: string;
  alertSubject: string;
  cooldownMs: number;
  models: readonly string[];
  /** A promotion or rollback of a watched model. */
  onModelEvent: (model: string) => void;
  logger: Logger;
  onStatus?: (up: boolean) => void;
}

/** Decides whether an alert may go out; pure, so the cooldown is testable without NATS. */
export class AlertCooldown {
  private readonly last = new Map<string, number>();
  constructor(private readonly cooldownMs: number) {}

  take(model: string, now: number): boolean {
    const prev = this.last.get(model);
    if (prev !== undefined && now - prev < this.cooldownMs) return false;
    this.last.set(model, now);
    return true;
  }

  /** Gives a taken slot back (the publish failed). */
  release(model: string, at: number): void {
    if (this.last.get(model) === at) this.last.delete(model);
  }
}

export async function connectDriftNats(options: DriftNatsOptions): Promise<DriftNats> {
  const { logger } = options;
  const nc: NatsConnection = await connectNats({ url: options.url, name: 'drift-detector', ...(options.onStatus ? { onStatus: options.onStatus } : {}) });
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
      if (!cooldown.take(alert.model, now)) return false;
      try {
        await publishFlushed(nc, options.alertSubject, JSON.stringify(alert));
        return true;
      } catch (err) {
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
