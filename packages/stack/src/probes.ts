import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';

/** A probe answers null when the engine is ready, else why not (for the failure message). */
export type Probe = () => Promise<string | null>;

async function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

function reason(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** ClickHouse's HTTP interface answers `Ok.` on /ping once it accepts queries. */
export function clickhouseProbe(url: string): Probe {
  return async () => {
    try {
      const { status, body } = await httpGet(new URL('/ping', url).href, 2000);
      return status === 200 && body.trim() === 'Ok.' ? null : `GET /ping answered ${status} ${body.slice(0, 80)}`;
    } catch (err) {
      return `GET /ping: ${reason(err)}`;
    }
  };
}

export function redisProbe(url: string): Probe {
  return async () => {
    const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const pong = await redis.ping();
      return pong === 'PONG' ? null : `PING answered ${String(pong)}`;
    } catch (err) {
      return `PING: ${reason(err)}`;
    } finally {
      redis.disconnect();
    }
  };
}

/** nats-server's monitoring /healthz is ok only once JetStream is up too. */
export function natsProbe(monitorUrl: string): Probe {
  return async () => {
    try {
      const { status, body } = await httpGet(new URL('/healthz', monitorUrl).href, 2000);
      return status === 200 ? null : `GET /healthz answered ${status} ${body.slice(0, 120)}`;
    } catch (err) {
      return `GET /healthz: ${reason(err)}`;
    }
  };
}

/** Prometheus answers 200 on /-/ready once it serves queries. */
export function prometheusProbe(url: string): Probe {
  return async () => {
    try {
      const { status, body } = await httpGet(new URL('/-/ready', url).href, 2000);
      return status === 200 ? null : `GET /-/ready answered ${status} ${body.slice(0, 120)}`;
    } catch (err) {
      return `GET /-/ready: ${reason(err)}`;
    }
  };
}

export function registryProbe(url: string): Probe {
  return async () => {
    try {
      const { status, body } = await httpGet(new URL('/subjects', url).href, 2000);
      return status === 200 ? null : `GET /subjects answered ${status} ${body.slice(0, 120)}`;
    } catch (err) {
      return `GET /subjects: ${reason(err)}`;
    }
  };
}

/** Topic name → partition count, as the cluster's metadata says. */
export async function kafkaTopicPartitions(brokers: readonly string[], timeoutMs = 3000): Promise<Map<string, number>> {
  const kafka = new Kafka({
    clientId: 'omen-stack',
    brokers: [...brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    // The probe polls while the broker starts; kafkajs would log every refused connection.
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    return new Map(topics.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function kafkaProbe(brokers: () => readonly string[] | null): Probe {
  return async () => {
    const list = brokers();
    if (!list) return 'no bootstraps file yet';
    try {
      await kafkaTopicPartitions(list);
      return null;
    } catch (err) {
      return `metadata from ${list.join(',')}: ${reason(err)}`;
    }
  };
}
