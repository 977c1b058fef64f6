// Starts the HTTP/JSON surface inside the service: listens on INFERENCE_HTTP_PORT as a required
// dependency (NOT_SERVING until it listens; a busy port is retried with backoff), closes first
// on shutdown (hooks run in reverse, and this one is registered last).
import { createAuthenticator } from '@omen/auth';
import { jwtOptionsFrom, type ServiceContext } from '@omen/service';
import type { InferenceConfig } from '../config.ts';
import { createInferenceHttp, type InferenceHttpOptions } from './http.ts';

type Parts = Pick<
  InferenceHttpOptions,
  'models' | 'predictor' | 'scheduler' | 'metrics' | 'log' | 'serverVersion' | 'audit'
>;

export function startInferenceHttp(ctx: ServiceContext<InferenceConfig>, parts: Parts): Promise<string> {
  const { config, logger } = ctx;
  const url = ctx.dependency('http', async () => {
    const app = await createInferenceHttp({
      ...parts,
      logger,
      defaultModel: config.INFERENCE_DEFAULT_MODEL,
      serverName: 'omen-inference',
      maxRequestRows: config.INFERENCE_MAX_REQUEST_ROWS,
      maxBodyBytes: config.INFERENCE_HTTP_MAX_BODY_BYTES,
      rateLimit: { max: config.INFERENCE_HTTP_RATE_LIMIT, windowMs: config.INFERENCE_HTTP_RATE_LIMIT_WINDOW },
      // The same credentials as the gRPC server: ADMIN_TOKEN and the AUTH_JWT_* issuer.
      authenticator: createAuthenticator({ adminToken: config.ADMIN_TOKEN, jwt: jwtOptionsFrom(config).jwt }),
      requireAuth: config.GRPC_REQUIRE_AUTH,
    });
    try {
      const address = await app.listen({ host: config.INFERENCE_HTTP_HOST, port: config.INFERENCE_HTTP_PORT });
      ctx.onShutdown(() => app.close(), 'http');
      logger.info({ http: address }, 'inference HTTP/JSON serving (Open Inference Protocol REST, /v1/analyze)');
      return address.replace('0.0.0.0', '127.0.0.1');
    } catch (err) {
      await app.close();
      throw err;
    }
  });
  url.catch(() => undefined);
  return url;
}
