import * as grpc from '@grpc/grpc-js';
import { callUnary } from './client.ts';
import { loadProto, standardProtos } from './proto.ts';

let healthClientCtor: grpc.ServiceClientConstructor | undefined;

/**
 * grpc.health.v1 Check against `address` for `service` ("" = the whole server). Resolves to
 * the status name (SERVING, NOT_SERVING, …) or null when the server does not answer in time —
 * what `./scripts/omen demo` and readiness checks need, without a client of their own.
 */
export async function checkHealth(
  address: string,
  options: { service?: string; timeoutMs?: number } = {},
): Promise<string | null> {
  healthClientCtor ??= loadProto(standardProtos.health).client('grpc.health.v1.Health');
  const client = new healthClientCtor(address, grpc.credentials.createInsecure());
  try {
    const res = await callUnary<{ status: string }>(
      client,
      'Check',
      { service: options.service ?? '' },
      { deadlineMs: options.timeoutMs ?? 1000 },
    );
    return res.status;
  } catch {
    return null;
  } finally {
    client.close();
  }
}
