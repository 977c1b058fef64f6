// The one way services connect to NATS (the control plane: model promotions, experiment
// changes, drift alerts): reconnect forever, and report up/down so runService's dependency
// gauge and readiness follow the connection. Control messages are JSON objects; parseJsonObject
// is the shared first step of every message parser (a reason string instead of a throw, so a
// bad message is logged and skipped, never crashes a subscription).
import { connect, type NatsConnection } from 'nats';
import { natsServers } from '@omen/config';
import { UnavailableError } from '@omen/errors';
import { withinMs } from './deadline.ts';

/** How long a publish waits for the server to have it before the caller hears UNAVAILABLE. */
export const NATS_PUBLISH_TIMEOUT_MS = 2000;

export interface ConnectNatsOptions {
  /** NATS_URL: one server, or a cluster's servers comma-separated (the client fails over among them). */
  url: string;
  /** Client name shown by the NATS server (the service's name). */
  name: string;
  /** Called with true once connected and on every reconnect, false on a disconnect. */
  onStatus?: (up: boolean) => void;
}

export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: natsServers(options.url),
    name: options.name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    // A server that stalls (SIGSTOP, a frozen VM) keeps the socket open: without pings the
    // client would wait on it for nats.js's default 2 minutes x 2 before moving to another
    // server of the cluster, deaf to every control message meanwhile. 5 s x 2 bounds that.
    pingInterval: 5000,
    maxPingOut: 2,
  });
  options.onStatus?.(true);
  void (async () => {
    for await (const s of nc.status()) {
      const type = String(s.type);
      if (type === 'disconnect') options.onStatus?.(false);
      if (type === 'reconnect') options.onStatus?.(true);
    }
  })().catch(() => undefined);
  return nc;
}

/**
 * Publishes and waits until the server has the message (a flush, which a stalled server never
 * answers: nats.js has no timeout of its own for it), at most `timeoutMs`; otherwise throws
 * UNAVAILABLE naming the subject. The message may still reach subscribers once the server
 * resumes: every control message here is state (what is champion now), safe to repeat.
 */
export async function publishFlushed(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array | string,
  timeoutMs = NATS_PUBLISH_TIMEOUT_MS,
): Promise<void> {
  const failed = (err: unknown) =>
    new UnavailableError(`NATS publish on ${subject} failed: ${(err as Error).message}`, {
      cause: err,
      retryAfterMs: 5000,
    });
  try {
    nc.publish(subject, data);
  } catch (err) {
    throw failed(err);
  }
  await withinMs(
    nc.flush().catch((err: unknown) => Promise.reject(failed(err))),
    timeoutMs,
    `NATS (publish on ${subject})`,
  );
}

/** A watchDependency probe: the server answers a PING (flush) or the connection is stalled. */
export function natsProbe(nc: NatsConnection): () => Promise<void> {
  return () => nc.flush();
}

/** The message body as a JSON object, or why it is not one. */
export function parseJsonObject(data: Uint8Array): Record<string, unknown> | string {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'payload is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'payload is not a JSON object';
  return body as Record<string, unknown>;
}
