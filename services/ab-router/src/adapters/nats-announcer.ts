// Experiment changes on NATS (core, at most once): a replica that hears one re-reads that
// experiment from Redis at once; one that misses it catches up on its periodic re-read, since
// Redis, not the message, is the truth.
import type { NatsConnection, Subscription } from 'nats';
import type { ModelEventPayload } from '@omen/model-registry';
import { connectNats, natsProbe, parseJsonObject, publishFlushed } from '@omen/service';
import type { Logger } from '@omen/telemetry';

/** JSON body on ABROUTER_NATS_SUBJECT (default `experiment.changed`). */
export interface ExperimentChanged {
  experiment_id: string;
  model_name: string;
  state: string;
  /** created, stopped, rolled_back. */
  change: string;
  reason?: string;
  at: string;
}

export function parseChange(data: Uint8Array): ExperimentChanged | string {
  const b = parseJsonObject(data);
  if (typeof b === 'string') return b;
  if (typeof b['experiment_id'] !== 'string' || b['experiment_id'] === '')
    return 'payload has no "experiment_id" string';
  return b as unknown as ExperimentChanged;
}

export interface Announcer {
  announce(change: ExperimentChanged): Promise<void>;
  /** Answers once the server does (watchDependency's probe). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface AnnouncerOptions {
  url: string;
  subject: string;
  logger: Logger;
  onChange: (c: ExperimentChanged) => void;
  onStatus?: (up: boolean) => void;
  /** The trainer's alias changes (model.promoted): a new challenger can start a canary. */
  modelSubject?: string;
  onModelPromoted?: (e: ModelEventPayload) => void;
}

export async function connectAnnouncer(options: AnnouncerOptions): Promise<Announcer> {
  const { logger, subject } = options;
  const nc: NatsConnection = await connectNats({
    url: options.url,
    name: 'ab-router',
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const sub: Subscription = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) {
        logger.warn({ err, subject }, 'experiment subscription error');
        return;
      }
      const change = parseChange(msg.data);
      if (typeof change === 'string') {
        logger.warn({ subject, problem: change }, 'ignoring malformed experiment change: %s', change);
        return;
      }
      options.onChange(change);
    },
  });
  const onModel = options.onModelPromoted;
  const modelSub: Subscription | undefined =
    options.modelSubject && onModel
      ? nc.subscribe(options.modelSubject, {
          callback: (err, msg) => {
            if (err) return void logger.warn({ err, subject: options.modelSubject }, 'model event subscription error');
            const b = parseJsonObject(msg.data);
            if (
              typeof b === 'string' ||
              typeof b['model'] !== 'string' ||
              typeof b['version'] !== 'string' ||
              typeof b['alias'] !== 'string'
            ) {
              logger.warn(
                {
                  subject: options.modelSubject,
                  problem: typeof b === 'string' ? b : 'no model/version/alias strings',
                },
                'ignoring malformed model event',
              );
              return;
            }
            onModel(b as unknown as ModelEventPayload);
          },
        })
      : undefined;
  return {
    announce: (change) => publishFlushed(nc, subject, JSON.stringify(change)),
    probe: natsProbe(nc),
    async close() {
      sub.unsubscribe();
      modelSub?.unsubscribe();
      await nc.drain().catch(() => nc.close());
    },
  };
}
