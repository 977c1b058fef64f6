import { connect as netConnect } from 'node:net';
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
    const redis = new Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 2000,
    });
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

/** Sends a ZooKeeper four-letter word and reads the answer until the server closes. */
export function zookeeperFourLetterWord(
  port: number,
  word: 'ruok' | 'srvr' | 'mntr',
  timeoutMs = 2000,
  host = '127.0.0.1',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to ${word} within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.end(word));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** ZooKeeper answers `imok` to ruok, and srvr names its mode once it serves (standalone, leader, follower). */
export function zookeeperProbe(port: number): Probe {
  return async () => {
    try {
      const ok = await zookeeperFourLetterWord(port, 'ruok');
      if (ok.trim() !== 'imok') return `ruok answered ${JSON.stringify(ok.slice(0, 80))}`;
      const srvr = await zookeeperFourLetterWord(port, 'srvr');
      return /^Mode: (standalone|leader|follower)$/m.test(srvr)
        ? null
        : `srvr answered ${JSON.stringify(srvr.slice(0, 120))}`;
    } catch (err) {
      return `ruok: ${reason(err)}`;
    }
  };
}

async function clickhouseText(url: string, query: string, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { method: 'POST', body: query, signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  if (res.status !== 200)
    throw new Error(`${query.split(' ').slice(0, 4).join(' ')}… answered ${res.status}: ${body.slice(0, 300)}`);
  return body;
}

/**
 * The cluster works end to end, not only each server: `cluster` lists `shards` × `replicas`
 * in system.clusters on every node, every node reaches ZooKeeper, and an ON CLUSTER DDL is
 * executed by every node (the DDL queue answers one row per host).
 */
export function clickhouseClusterProbe(
  urls: readonly string[],
  cluster: string,
  shards: number,
  replicas: number,
): Probe {
  return async () => {
    try {
      for (const url of urls) {
        const topology = (
          await clickhouseText(
            url,
            `SELECT shard_num, replica_num FROM system.clusters WHERE cluster = '${cluster}' FORMAT TSV`,
            5000,
          )
        ).trim();
        const rows = topology === '' ? [] : topology.split('\n');
        const want = shards * replicas;
        if (rows.length !== want || new Set(rows.map((r) => r.split('\t')[0])).size !== shards) {
          return `${url}: system.clusters has ${rows.length} rows for ${cluster}, want ${shards} shards × ${replicas} replicas`;
        }
        await clickhouseText(url, "SELECT count() FROM system.zookeeper WHERE path = '/' FORMAT TSV", 5000);
      }
      const first = urls[0];
      if (!first) return 'no nodes';
      // A database, not a table: nothing replicated is left behind if a node misses the DROP.
      const answered = await clickhouseText(
        first,
        `CREATE DATABASE IF NOT EXISTS omen_stack_probe ON CLUSTER ${cluster} FORMAT TSV`,
        60_000,
      );
      const hosts = answered
        .trim()
        .split('\n')
        .filter((l) => l !== '').length;
      if (hosts !== urls.length) return `ON CLUSTER DDL answered for ${hosts} hosts, want ${urls.length}`;
      await clickhouseText(first, `DROP DATABASE IF EXISTS omen_stack_probe ON CLUSTER ${cluster} FORMAT TSV`, 60_000);
      return null;
    } catch (err) {
      return reason(err);
    }
  };
}
