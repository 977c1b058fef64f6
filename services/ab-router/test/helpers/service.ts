import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type inferenceV1 } from '@omen/contracts';
import { createClient } from '@omen/grpc';
import type { RunningService } from '@omen/service';
import { randomName, startAppInProcess, type Cleanup } from '@omen/testing';
import { startAbRouter, type AbRouterApp } from '../../src/app.ts';
import { ABROUTER_PORTS, abRouterConfigSchema, type AbRouterConfig } from '../../src/config.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestRouter {
  app: AbRouterApp;
  running: RunningService<AbRouterConfig>;
  /** omen.abrouter.v1.AbRouter client carrying the admin token. */
  admin: grpc.Client;
  /** The same without a token. */
  anonymous: grpc.Client;
}

type Ctor = new (a: string, c: grpc.ChannelCredentials, o?: grpc.ClientOptions) => grpc.Client;

/** The real service (runService + startAbRouter, as main.ts wires it) on 127.0.0.1:0. */
export async function startTestRouter(cleanup: Cleanup, env: Record<string, string | undefined>): Promise<TestRouter> {
  const { app, running } = await startAppInProcess(cleanup, {
    name: 'ab-router',
    configSchema: abRouterConfigSchema,
    ports: ABROUTER_PORTS,
    env: { ADMIN_TOKEN, ...env },
    start: (ctx) => startAbRouter(ctx),
  });
  await running.ready;
  const address = `127.0.0.1:${running.grpcPort}`;
  const C = loadGrpcObject('abrouter').omen.abrouter.v1.AbRouter as unknown as Ctor;
  const admin = createClient(C, address, { token: ADMIN_TOKEN });
  const anonymous = createClient(C, address);
  cleanup(() => Promise.resolve(admin.close()));
  cleanup(() => Promise.resolve(anonymous.close()));
  return { app, running, admin, anonymous };
}

/**
 * A real grpc-js server implementing omen.inference.v1.Inference/Predict (inference is not the
 * component under test): it answers with the model version it was asked for, a bug probability
 * that depends on the version, and fails every request for a version named "broken".
 */
export async function startStubInference(
  cleanup: Cleanup,
): Promise<{ address: string; versionsAsked: Map<string, number> }> {
  const server = new grpc.Server();
  const versionsAsked = new Map<string, number>();
  const probability: Record<string, number> = { champion: 0.3, v2: 0.45 };
  server.addService(loadGrpcObject('inference').omen.inference.v1.Inference.service, {
    Predict: (
      call: grpc.ServerUnaryCall<inferenceV1.PredictRequest__Output, inferenceV1.PredictResponse>,
      cb: grpc.sendUnaryData<inferenceV1.PredictResponse>,
    ) => {
      const r = call.request;
      const version = r.model_version || 'champion';
      versionsAsked.set(version, (versionsAsked.get(version) ?? 0) + 1);
      if (version === 'broken') {
        cb({ code: grpc.status.UNAVAILABLE, details: 'model version broken failed to load' });
        return;
      }
      // Spread per repository, so each arm's bug probability has a variance to test against.
      const repo = r.commit?.repo_id ?? '';
      const jitter = ([...repo].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % 10) / 100;
      cb(null, {
        request_id: r.request_id,
        model_name: r.model_name,
        model_version: version,
        repo_id: r.commit?.repo_id ?? '',
        entity_id: r.commit?.sha ?? '',
        bug_probability: (probability[version] ?? 0.5) + jitter,
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  cleanup(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
  return { address: `127.0.0.1:${port}`, versionsAsked };
}

export const uniquePrefix = () => `omen-test:${randomName('abrouter')}`;
