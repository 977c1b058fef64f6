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
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    SHUTDOWN_GRACE: '2s',
  };
}
