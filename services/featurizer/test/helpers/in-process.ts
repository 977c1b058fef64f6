// The featurizer service run in the test process against the dev stack, with its own ClickHouse
// database, topics, consumer group and Redis prefixes, removed again by `stop`.
import { Redis } from 'ioredis';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { loadConfig } from '@omen/config';
import { randomName, stackEnv } from '@omen/testing';
import { recoveryConfigSchema } from '../../src/recovery/steps.ts';
import type { RecoveryConfig } from '../../src/recovery/steps.ts';
import { runFeaturizer } from '../../src/app.ts';
import { featurizerEnv, featurizerNames, type FeaturizerNames } from './names.ts';

export interface InProcessFeaturizer {
  names: FeaturizerNames;
  /** ClickHouse on the service's database. */
  ch: ClickHouse;
  redis: Redis;
  featurizer: Awaited<ReturnType<typeof runFeaturizer>>;
  stop(): Promise<void>;
}

/**
 * `waitReady: false` returns as soon as the ports listen, for tests of a featurizer that is not meant to become SERVING;
 * `names` reuses another featurizer's topics, group and state, so this one takes over from it.
 */
export async function startInProcessFeaturizer(
  dbPrefix: string,
  extraEnv: Record<string, string> = {},
  options: { waitReady?: boolean; names?: FeaturizerNames } = {},
): Promise<InProcessFeaturizer> {
  const env = stackEnv();
  const database = randomName(dbPrefix).replace(/-/g, '_');
  const names = options.names ?? featurizerNames();
  const admin = createClickHouse({ url: env.CLICKHOUSE_URL });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  const ch = createClickHouse({ url: env.CLICKHOUSE_URL, database });
  const redis = new Redis(env.REDIS_URL);
  const featurizer = await runFeaturizer({
    ownProcess: false,
    env: {
      ...env,
      LOG_LEVEL: 'error',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      ...featurizerEnv(names, database),
      ...extraEnv,
    },
  });
  if (options.waitReady ?? true) await featurizer.ready;
  return {
    names,
    ch,
    redis,
    featurizer,
    async stop() {
      await featurizer.stop();
      await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      for (const prefix of [names.state, names.online]) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
      await ch.close();
      await admin.close();
    },
  };
}

/** The recovery steps' configuration (audit, reset, relabel) pointed at this featurizer's database, topics, group and state. */
export async function recoveryConfig(fz: InProcessFeaturizer): Promise<RecoveryConfig> {
  return loadConfig(recoveryConfigSchema, {
    ...stackEnv(),
    CLICKHOUSE_DATABASE: (await fz.ch.query<{ d: string }>(sql`SELECT currentDatabase() AS d`))[0]!.d,
    FEATURIZER_GROUP: fz.names.group,
    FEATURIZER_TOPIC_COMMITS: fz.names.commits,
    FEATURIZER_TOPIC_ISSUES: fz.names.issues,
    FEATURIZER_TOPIC_FEATURES: fz.names.features,
    FEATURIZER_TOPIC_LABELS: fz.names.labels,
    FEATURIZER_STATE_PREFIX: fz.names.state,
  });
}
