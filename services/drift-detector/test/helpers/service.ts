import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject } from '@omen/contracts';
import type { RunningService } from '@omen/service';
import { FAST_CONSUMER, randomName, stackEnv, startAppInProcess, waitFor, type Cleanup } from '@omen/testing';
import { startDriftDetector, type DriftApp, type DriftOverrides } from '../../src/app.ts';
import { DRIFT_PORTS, driftConfigSchema, type DriftConfig } from '../../src/config.ts';

export interface TestService {
  app: DriftApp;
  running: RunningService<DriftConfig>;
  /** omen.drift.v1.DriftDetector client. */
  client: grpc.Client;
}

/** The real service (runService + startDriftDetector, as main.ts wires it) on 127.0.0.1:0, stopped by `cleanup`. */
export async function startTestService(
  cleanup: Cleanup,
  env: Record<string, string | undefined>,
  overrides: DriftOverrides = {},
): Promise<TestService> {
  const { app, running } = await startAppInProcess(cleanup, {
    name: 'drift-detector',
    configSchema: driftConfigSchema,
    ports: DRIFT_PORTS,
    env: { DRIFT_REGISTRY_POLL: '0', ...env },
    start: (ctx) => startDriftDetector(ctx, overrides),
  });
  const Ctor = loadGrpcObject('drift').omen.drift.v1.DriftDetector;
  const client = new Ctor(`127.0.0.1:${running.grpcPort}`, grpc.credentials.createInsecure());
  cleanup(() => Promise.resolve(client.close()));
  return { app, running, client };
}

/** Promise form of a unary call; rejects with grpc's ServiceError. */
export function call<Res>(client: grpc.Client, method: string, request: unknown, deadlineMs = 10_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!;
    fn.call(
      client,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)),
    );
  });
}

export async function callError(client: grpc.Client, method: string, request: unknown): Promise<grpc.ServiceError> {
  try {
    await call(client, method, request);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error(`${method} succeeded; an error was expected`);
}

export interface StackTopics {
  features: string;
  predictions: string;
  labels: string;
  reports: string;
}

/** Fresh topic names for one test file (the dev broker creates them on first use). */
export function randomTopics(): StackTopics {
  return {
    features: randomName('features-commits'),
    predictions: randomName('predictions'),
    labels: randomName('labels'),
    reports: randomName('monitoring-drift'),
  };
}

/**
 * The service on the dev stack with one-minute windows closed on event time alone (lateness 0)
 * and tests from 200 observations, consuming `topics` as a fresh group; resolves once the
 * consumer has joined. `env` adds or overrides (CLICKHOUSE_URL, DRIFT_TABLE, …).
 */
export async function startOnStack(
  cleanup: Cleanup,
  options: { registryDir: string; model: string; topics: StackTopics; env?: Record<string, string> },
): Promise<TestService> {
  const engines = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'NATS_URL');
  const { topics } = options;
  const svc = await startTestService(
    cleanup,
    {
      DRIFT_REGISTRY_DIR: options.registryDir,
      DRIFT_MODELS: options.model,
      DRIFT_WINDOW: '1m',
      DRIFT_ALLOWED_LATENESS: '0',
      DRIFT_MIN_SAMPLES: '200',
      KAFKA_BROKERS: engines.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: engines.SCHEMA_REGISTRY_URL,
      NATS_URL: engines.NATS_URL,
      DRIFT_GROUP: randomName('drift-detector'),
      DRIFT_TOPIC_FEATURES: topics.features,
      DRIFT_TOPIC_PREDICTIONS: topics.predictions,
      DRIFT_TOPIC_LABELS: topics.labels,
      DRIFT_TOPIC_REPORTS: topics.reports,
      DRIFT_ALERT_SUBJECT: `drift.alert.${randomName('test')}`,
      ...options.env,
    },
    { consumer: FAST_CONSUMER },
  );
  await svc.running.ready;
  await waitFor(() => svc.app.consumer(), { message: 'the drift consumer', timeoutMs: 30_000 });
  await svc.app.consumer()!.ready;
  return svc;
}
