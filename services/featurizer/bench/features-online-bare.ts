// The features-online bench's comparator for GetFeatures: a bare grpc-js server (no interceptors,
// no tracing, metrics, auth or validation) answering omen.featurizer.v1.Featurizer/GetFeatures
// from the same online read the featurizer makes (RedisOnlineStore.read). The bench drives it
// and the featurizer at the same rates, one after the other: their ratio is what the service's
// own serving stack costs, apart from grpc-js and the load generator on the same two cores.
// Started by features-online.ts with the Redis URL, the key prefix and a port; prints "ready".
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { loadGrpcObject } from '@omen/contracts';
import { jitChangeMetricsV1 } from '@omen/features';
import { RedisOnlineStore } from '../src/adapters/redis-online-store.ts';

const [redisUrl, prefix, port] = process.argv.slice(2) as [string, string, string];
const store = new RedisOnlineStore(new Redis(redisUrl, { maxRetriesPerRequest: 2 }), { prefix });
const service = (
  loadGrpcObject('featurizer').omen.featurizer.v1.Featurizer as unknown as { service: grpc.ServiceDefinition }
).service;
const server = new grpc.Server();
server.addService(service, {
  GetFeatures: (
    call: grpc.ServerUnaryCall<{ repo_id: string; sha: string }, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ) => {
    const { repo_id: repoId, sha } = call.request;
    store.read(repoId, sha, jitChangeMetricsV1).then(
      (online) => {
        if (!online) return callback({ code: grpc.status.NOT_FOUND, details: 'no features' });
        const seconds = Math.floor(online.computed_at / 1000);
        callback(null, {
          repo_id: repoId,
          sha,
          feature_set: jitChangeMetricsV1.name,
          feature_set_version: jitChangeMetricsV1.version,
          values: online.values,
          file_metrics: [],
          computed_at: { seconds: String(seconds), nanos: (online.computed_at - seconds * 1000) * 1e6 },
          source: 'FEATURE_SOURCE_ONLINE',
        });
      },
      (err: unknown) => callback({ code: grpc.status.UNAVAILABLE, details: String(err) }),
    );
  },
});
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
