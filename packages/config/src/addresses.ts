// The two address forms of Redis and NATS that a service's configuration accepts: one server,
// or the engine's cluster. One variable each (REDIS_URL, NATS_URL), so `.omen/stack.env`, compose
// and Kubernetes switch a whole deployment to the cluster by changing a value, not the keys.
import { url, type EnvSchema } from './schema.ts';
import { z } from 'zod';

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/**
 * - `single`: `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS), one server
 * - `cluster`: `redis-cluster://[user:password@]host:port[,host:port…]` or `rediss-cluster://…`,
 *   seed nodes of a Redis Cluster (the client learns the rest from CLUSTER SLOTS)
 */
export type RedisAddress =
  | { readonly kind: 'single'; readonly url: string }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly RedisNode[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

const CLUSTER_FORM = /^(rediss?)-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#@]+)\/?$/i;

/** The address, or null when `raw` is neither form. */
export function parseRedisAddress(raw: string): RedisAddress | null {
  const m = CLUSTER_FORM.exec(raw.trim());
  if (!m) {
    try {
      const u = new URL(raw.trim());
      return u.protocol === 'redis:' || u.protocol === 'rediss:' ? { kind: 'single', url: raw.trim() } : null;
    } catch {
      return null;
    }
  }
  const nodes: RedisNode[] = [];
  for (const part of (m[4] ?? '').split(',')) {
    const hp = /^([^:,\s]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(part.trim());
    const port = Number(hp?.[2]);
    if (!hp || port < 1 || port > 65535) return null;
    nodes.push({ host: (hp[1] ?? '').replace(/^\[|\]$/g, ''), port });
  }
  const decode = (s: string | undefined) => (s ? decodeURIComponent(s) : undefined);
  const username = decode(m[2]);
  const password = decode(m[3]);
  return {
    kind: 'cluster',
    nodes,
    tls: (m[1] ?? '').toLowerCase() === 'rediss',
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/** REDIS_URL: one server (`redis://`, `rediss://`) or a Redis Cluster (`redis-cluster://h:p,h:p`). */
export function redisUrl(options: { default?: string } = {}): EnvSchema<string> {
  const expected =
    'redis://host:port (one server) or redis-cluster://host:port,host:port (Redis Cluster seed nodes); rediss for TLS';
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      const value = raw?.trim() || options.default;
      if (value !== undefined && parseRedisAddress(value)) return value;
      ctx.issues.push({ code: 'custom', message: expected, input: raw, params: { expected } });
      return z.NEVER;
    });
}

/** The servers of a NATS_URL: one URL, or several comma-separated (a NATS cluster's servers). */
export function natsServers(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const NATS_PROTOCOLS = ['nats', 'tls', 'ws', 'wss'];

/** NATS_URL: `nats://host:port`, or a comma-separated list of a cluster's servers. */
export function natsUrl(): EnvSchema<string> {
  const one = url({ protocols: NATS_PROTOCOLS });
  const expected = 'nats://host:port, or several comma-separated (the servers of a NATS cluster)';
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      const servers = raw === undefined ? [] : natsServers(raw);
      if (servers.length > 0 && servers.every((s) => one.safeParse(s).success)) return servers.join(',');
      ctx.issues.push({ code: 'custom', message: expected, input: raw, params: { expected } });
      return z.NEVER;
    });
}
