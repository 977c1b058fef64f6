// The features-online bench's load generator, a child process of the bench (forked with IPC),
// so the clients' encoding and timers share neither the bench's event loop nor the featurizer's
// (they do share the machine's cores, as a co-located client would). Holds every reader of the
// bench on its own connection, configured as its service configures it, runs each scenario it is
// sent open-loop and sends the latencies back with the send rate it achieved.
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { loadGrpcObject } from '@omen/contracts';
import { featureSetId, jitChangeMetricsV1 } from '@omen/features';
import { connectRedis, RedisStore } from '@omen/inference/online-store';
import { RedisOnlineStore } from '../src/adapters/redis-online-store.ts';

export interface LoadSetup {
  redisUrl: string;
  prefix: string;
  cachePrefix: string;
  repo: string;
  commits: number;
  grpcAddress: string;
  /** The bare grpc-js GetFeatures server (features-online-bare.ts). */
  bareGrpcAddress: string;
}

export interface LoadRun {
  scenario: string;
  rps: number;
  seconds: number;
}

export interface LoadResult {
  /** Per-request latency (ms) from its scheduled send time: a stall counts against it. */
  latencies: number[];
  /** Failed requests by gRPC status name or error message. */
  errors: Record<string, number>;
  /** Requests sent ÷ the time from the first scheduled send to the last actual send. */
  sendRps: number;
  /** Requests completed ÷ the time until the last answer. */
  achievedRps: number;
  /** How far the latest send fell behind its schedule (ms): the generator's own lag. */
  maxSendLagMs: number;
}

type Call = (i: number) => Promise<unknown>;

function scenarios(s: LoadSetup): { calls: Record<string, Call>; close: () => void } {
  const shas = Array.from({ length: s.commits }, (_, i) => i.toString(16).padStart(40, '0'));
  const jitField = featureSetId(jitChangeMetricsV1);
  const raw = new Redis(s.redisUrl);
  const featurizerRedis = new Redis(s.redisUrl, { maxRetriesPerRequest: 2 });
  const featurizerStore = new RedisOnlineStore(featurizerRedis, { prefix: s.prefix });
  const inferenceRedis = connectRedis(s.redisUrl, 1000);
  void inferenceRedis.connect();
  const inferenceStore = new RedisStore(inferenceRedis, { featurePrefix: s.prefix, cachePrefix: s.cachePrefix });
  type FeaturizerClient = grpc.Client & {
    GetFeatures: (
      req: unknown,
      md: grpc.Metadata,
      o: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, r?: unknown) => void,
    ) => void;
  };
  const Featurizer = loadGrpcObject('featurizer').omen.featurizer.v1.Featurizer;
  const client = new Featurizer(s.grpcAddress, grpc.credentials.createInsecure()) as unknown as FeaturizerClient;
  const bareClient = new Featurizer(
    s.bareGrpcAddress,
    grpc.credentials.createInsecure(),
  ) as unknown as FeaturizerClient;
  const getFeatures = (c: FeaturizerClient, i: number): Promise<unknown> =>
    new Promise((ok, fail) =>
      c.GetFeatures(
        { repo_id: s.repo, sha: shas[i % s.commits], feature_set: jitChangeMetricsV1.name },
        new grpc.Metadata(),
        { deadline: Date.now() + 10_000 },
        (e, r) => (e ? fail(e) : ok(r)),
      ),
    );
  const calls: Record<string, Call> = {
    raw_hmget: (i) => raw.hmget(featurizerStore.key(s.repo, shas[i % s.commits]!), jitField),
    featurizer_store: async (i) => {
      if (!(await featurizerStore.read(s.repo, shas[i % s.commits]!, jitChangeMetricsV1))) throw new Error('missing');
    },
    featurizer_grpc: (i) => getFeatures(client, i),
    bare_grpc: (i) => getFeatures(bareClient, i),
    raw_hgetall_get: (i) => {
      const sha = shas[i % s.commits]!;
      return raw
        .pipeline()
        .hgetall(inferenceStore.featureKey(s.repo, sha))
        .get(inferenceStore.cacheKey(s.repo, sha, 'jit-defect', '1'))
        .exec();
    },
    inference_lookup: async (i) => {
      const sha = shas[i % s.commits]!;
      const [rec] = await inferenceStore.lookup([
        { repoId: s.repo, sha, cacheKey: inferenceStore.cacheKey(s.repo, sha, 'jit-defect', '1') },
      ]);
      if (!rec?.sets.has(jitField)) throw new Error('missing');
    },
  };
  return {
    calls,
    close: () => {
      client.close();
      bareClient.close();
      raw.disconnect();
      featurizerRedis.disconnect();
      inferenceRedis.disconnect();
    },
  };
}

function errorName(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return grpc.status[code] ?? String(code);
  return err instanceof Error ? err.message.slice(0, 80) : String(err);
}

/**
 * Requests outstanding at most. Past it the generator sends late rather than piling up calls it
 * cannot serve (tens of thousands of pending gRPC calls and their deadline timers stalled its own
 * event loop for 100 s at 5,000 rps): a late send still counts from its scheduled time, so the
 * reader's latency is not flattered, and `maxSendLagMs` shows it.
 */
const MAX_IN_FLIGHT = 2000;

/** `call(i)` sent open-loop at `rps` for `seconds`, each latency from its scheduled send time. */
async function openLoop(rps: number, seconds: number, call: Call): Promise<LoadResult> {
  const total = Math.round(rps * seconds);
  const interval = 1000 / rps;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let sent = 0;
  let done = 0;
  let maxSendLagMs = 0;
  let lastSend = 0;
  const start = performance.now();
  await new Promise<void>((resolveAll) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && sent - done < MAX_IN_FLIGHT && start + sent * interval <= now) {
        const scheduled = start + sent * interval;
        maxSendLagMs = Math.max(maxSendLagMs, now - scheduled);
        call(sent)
          .then(
            () => void latencies.push(performance.now() - scheduled),
            (err: unknown) => {
              const name = errorName(err);
              errors[name] = (errors[name] ?? 0) + 1;
            },
          )
          .finally(() => {
            if (++done === total) resolveAll();
          });
        sent++;
      }
      lastSend = now;
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
    };
    tick();
  });
  const elapsed = performance.now() - start;
  // The last request is due at (total - 1) × interval; sending it later means the generator lagged.
  const sendSpan = Math.max(lastSend - start, (total - 1) * interval);
  return {
    latencies,
    errors,
    sendRps: Math.round((total - 1) / (sendSpan / 1000)),
    achievedRps: Math.round(total / (elapsed / 1000)),
    maxSendLagMs: Math.round(maxSendLagMs * 10) / 10,
  };
}

let readers: ReturnType<typeof scenarios> | undefined;
process.on('message', (message: { setup: LoadSetup } | LoadRun | { close: true }) => {
  if ('setup' in message) {
    readers = scenarios(message.setup);
    process.send!({ ready: true });
    return;
  }
  if ('close' in message) {
    readers?.close();
    process.exit(0);
  }
  const call = readers!.calls[message.scenario];
  if (!call) throw new Error(`unknown scenario ${message.scenario}`);
  void openLoop(message.rps, message.seconds, call).then((r) => process.send!(r));
});
process.on('disconnect', () => process.exit(0));
