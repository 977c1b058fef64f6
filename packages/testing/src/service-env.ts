import type { ConfigOf, ConfigShape } from '@omen/config';
import {
  runService,
  type BaseConfigShape,
  type RunningService,
  type ServiceContext,
  type ServiceOptions,
} from '@omen/service';
import type { Cleanup } from './cleanup.ts';

/**
 * The environment of a service run inside a test's process (runService with ownProcess false):
 * loopback only, gRPC and metrics ports chosen by the OS, quiet logs unless TEST_LOG_LEVEL says
 * otherwise, and a short shutdown grace so a test's cleanup does not wait. Spread it first and
 * the test's own variables after it.
 */
export function inProcessServiceEnv(): Record<string, string> {
  return {
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    // Inference's HTTP/JSON surface: a free port too, never the local default 8084.
    INFERENCE_HTTP_PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    SHUTDOWN_GRACE: '2s',
  };
}

/**
 * A service as its main.ts runs it (runService with `start`), inside the test's process with
 * inProcessServiceEnv() under `options.env`; stopped by `cleanup`, resolved once ready.
 */
export async function runInProcess<S extends ConfigShape>(
  cleanup: Cleanup,
  options: Omit<ServiceOptions<S>, 'ownProcess'>,
): Promise<RunningService<ConfigOf<S & BaseConfigShape>>> {
  const running = await runService({
    ...options,
    ownProcess: false,
    env: { ...inProcessServiceEnv(), ...options.env },
  });
  cleanup(async () => {
    await running.stop('test finished');
  });
  await running.ready;
  return running;
}

/**
 * A service started as its main.ts starts it (runService with its app's `start`), inside the
 * test's process with inProcessServiceEnv() under `options.env`, stopped by `cleanup`. Resolves
 * with what `start` built: at once for a synchronous `start`, once the service is ready for an
 * asynchronous one (its app exists only then); otherwise await `running.ready` for readiness.
 */
export async function startAppInProcess<S extends ConfigShape, A>(
  cleanup: Cleanup,
  options: Omit<ServiceOptions<S>, 'ownProcess' | 'start'> & {
    start: (ctx: ServiceContext<ConfigOf<S & BaseConfigShape>>) => A | Promise<A>;
  },
): Promise<{ app: A; running: RunningService<ConfigOf<S & BaseConfigShape>> }> {
  let app: A | undefined;
  const { start, ...rest } = options;
  const running = await runService({
    ...rest,
    ownProcess: false,
    env: { ...inProcessServiceEnv(), ...options.env },
    start: (ctx) => {
      const built: A | Promise<A> = start(ctx);
      if (!(built instanceof Promise)) {
        app = built;
        return undefined;
      }
      return built.then((a) => {
        app = a;
      });
    },
  });
  cleanup(async () => {
    await running.stop('test finished');
  });
  if (app === undefined) await running.ready;
  if (app === undefined) throw new Error(`${options.name}: ready before its start built the app`);
  return { app, running };
}
