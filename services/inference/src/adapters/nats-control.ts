// The control plane: the trainer-coordinator announces promotions and rollbacks on NATS
// (`model.promoted`, `model.rolledback`, JSON { model, version, sha256, alias }). Plain core
// subscriptions suffice: the registry is the source of truth, so an instance that was down or
// missed a message catches up by reading the registry's aliases at start and on its poll.
import type { NatsConnection, Subscription } from 'nats';
import { MODEL_EVENT_SUBJECTS, parseModelEvent, type ModelEvent } from '@omen/model-registry';
import { connectNats } from '@omen/service';
import type { Logger } from '@omen/telemetry';

/** The subjects and payload are the registry's contract (@omen/model-registry). */
export const CONTROL_SUBJECTS = MODEL_EVENT_SUBJECTS;

export interface ControlSubscriber {
  close(): Promise<void>;
}

export interface ControlOptions {
  url: string;
  /** Models this instance serves; events for others are ignored. */
  models: readonly string[];
  /** Aliases this instance serves; events for others are ignored. */
  aliases: readonly string[];
  apply: (event: ModelEvent, subject: string) => Promise<unknown>;
  logger: Logger;
  /** Called on connection state changes (for the dependency gauge). */
  onStatus?: (up: boolean) => void;
}

export async function subscribeControl(options: ControlOptions): Promise<ControlSubscriber> {
  const { logger } = options;
  const nc: NatsConnection = await connectNats({
    url: options.url,
    name: 'inference',
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const subs: Subscription[] = [];
  for (const subject of [CONTROL_SUBJECTS.promoted, CONTROL_SUBJECTS.rolledBack]) {
    subs.push(
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) {
            logger.warn({ err, subject }, 'control subscription error');
            return;
          }
          const event = parseModelEvent(msg.data);
          if (typeof event === 'string') {
            logger.warn({ subject, problem: event }, 'ignoring malformed control message: %s', event);
            return;
          }
          if (!options.models.includes(event.model) || !options.aliases.includes(event.alias)) {
            logger.debug({ subject, ...event }, 'control message for a model or alias not served here');
            return;
          }
          logger.info(
            { subject, ...event },
            'control: %s %s/%s as %s',
            subject,
            event.model,
            event.version,
            event.alias,
          );
          // apply() reports its own failure (log, metric) and keeps the old version serving.
          options.apply(event, subject).catch(() => undefined);
        },
      }),
    );
  }
  await nc.flush();
  return {
    async close() {
      for (const s of subs) s.unsubscribe();
      await nc.drain().catch(() => nc.close());
    },
  };
}
