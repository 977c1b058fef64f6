import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ident, sql, type ClickHouse } from '@omen/clickhouse';
import { loadGrpcObject, protoRoot, type inferenceV1 } from '@omen/contracts';
import type { RunningService } from '@omen/service';
import { randomName, startAppInProcess, type Cleanup } from '@omen/testing';
import path from 'node:path';
import { startInference, type InferenceApp, type InferenceOverrides } from '../../src/app.ts';
import { INFERENCE_PORTS, inferenceConfigSchema, type InferenceConfig } from '../../src/config.ts';

export interface TestService {
  app: InferenceApp;
  running: RunningService<InferenceConfig>;
  address: string;
  /** omen.inference.v1.Inference client. */
  client: grpc.Client & Record<string, grpc.MethodDefinition<unknown, unknown>>;
  /** Key prefixes this instance uses in Redis (random per test). */
  featurePrefix: string;
  cachePrefix: string;
}

/**
 * The real service (runService + startInference, as main.ts wires it) on 127.0.0.1:0, its
 * Redis keys under random prefixes, stopped by `cleanup`.
 */
export async function startTestService(
  cleanup: Cleanup,
  env: Record<string, string | undefined>,
  overrides: InferenceOverrides = {},
): Promise<TestService> {
  const featurePrefix = randomName('features');
  const cachePrefix = randomName('predictions');
  const { app, running } = await startAppInProcess(cleanup, {
    name: 'inference',
    configSchema: inferenceConfigSchema,
    ports: INFERENCE_PORTS,
    env: {
      INFERENCE_FEATURE_PREFIX: featurePrefix,
      INFERENCE_CACHE_PREFIX: cachePrefix,
      INFERENCE_REGISTRY_POLL: '0',
      ...env,
    },
    start: (ctx) => startInference(ctx, overrides),
  });
  const address = `127.0.0.1:${running.grpcPort}`;
  const Ctor = loadGrpcObject('inference').omen.inference.v1.Inference;
  const client = new Ctor(address, grpc.credentials.createInsecure()) as unknown as TestService['client'];
  cleanup(() => Promise.resolve(client.close()));
  return { app, running, address, client, featurePrefix, cachePrefix };
}

/** Drops a test's ClickHouse table and closes its client when the file's cleanup runs. */
export function dropTableAfter(cleanup: Cleanup, ch: ClickHouse, table: string): void {
  cleanup(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.close();
  });
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

/** The rejection of a call, for asserting on code, details and metadata. */
export async function callError(
  client: grpc.Client,
  method: string,
  request: unknown,
  deadlineMs = 10_000,
): Promise<grpc.ServiceError> {
  try {
    await call(client, method, request, deadlineMs);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error(`${method} succeeded; an error was expected`);
}

export type PredictResponse = inferenceV1.PredictResponse__Output;

/**
 * A KServe v2 client made the way a Triton client makes one: from the published
 * grpc_predict_v2.proto alone, with plain proto-loader options (none of omen's helpers).
 */
export function kserveClient(address: string): grpc.Client {
  const def = protoLoader.loadSync(path.join(protoRoot, 'kserve/v2/grpc_predict_v2.proto'), {
    keepCase: true,
    longs: Number,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
  };
  return new pkg.inference.GRPCInferenceService(address, grpc.credentials.createInsecure());
}
