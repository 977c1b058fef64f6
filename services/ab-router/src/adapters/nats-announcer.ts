// Experiment changes on NATS (core, at most once): a replica that hears one re-reads that
// experiment from Redis at once; one that misses it catches up on its periodic re-read, since
// Redis, not the message, is the truth.
import type { NatsConnection, Subscription } from 'nats';
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
  if (typeof b['experiment_id'] !== 'string' || b['experiment_id'] === '') return 'payload has no "experiment_id" string';
  return b as unknown as ExperimentChanged;
}

export interface Announcer {
  announce(change: ExperimentChanged): Promise<void>;
  /** Answers once the server does (watchDependency's probe). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export async function connectAnnouncer(options: { url: string; subject: string; logger: Logger; onChange: (c: ExperimentChanged) => void; onStatus?: (up: boolean) => void }): Promise<Announcer> {
  const { logger, subject } = options;
  const nc: NatsConnection = await connectNats({ url: options.url, name: 'ab-router', ...(options.onStatus ? { onStatus: options.onStatus } : {}) });
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
  return {
    announce: (change) => publishFlushed(nc, subject, JSON.stringify(change)),
    probe: natsProbe(nc),
    async close() {
      sub.unsubscribe();
      await nc.drain().catch(() => nc.close());
    },
  };
}
