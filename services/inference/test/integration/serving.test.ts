// Serving mechanics against the real service: load shedding, deadlines, and Redis going away.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@omen/testing';
import { createTestRegistry, jitGbdt, jitValues } from '../helpers/fixtures.ts';
import { call, callError, startTestService, type PredictResponse } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private redis-server (the dev stack's is shared, so it is never the one stopped). */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  cleanup(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    return Promise.resolve();
  });
  await waitFor(
    async () => {
      const probe = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    },
    { message: `redis-server on ${port}` },
  );
  return child;
}

describe('load shedding and deadlines', () => {
  it('refuses work beyond the queue bound with RESOURCE_EXHAUSTED and drops expired requests before compute', async () => {
    const reg = await createTestRegistry(cleanup);
    await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
    // A long queue delay holds requests in the queue, so its bound is what decides.
    const svc = await startTestService(cleanup, {
      INFERENCE_REGISTRY_DIR: reg.dir,
      INFERENCE_MAX_QUEUE_ROWS: '2',
      INFERENCE_MAX_QUEUE_DELAY_US: '1500000',
    });
    await svc.running.ready;
    const request = { features: { values: jitValues(1) } };
    const settled = await Promise.allSettled(
      [0, 1, 2].map(() => call<PredictResponse>(svc.client, 'Predict', request)),
    );
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    expect(refused).toHaveLength(1);
    const err = refused[0]!.reason as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/queue is full \(2 rows waiting, limit 2\)/);
    expect(Number(err.metadata.get('grpc-retry-pushback-ms')[0])).toBeGreaterThan(0);

    // A caller whose deadline falls inside the queue delay gets DEADLINE_EXCEEDED, and its row
    // leaves the queue instead of being computed later.
    const late = await callError(svc.client, 'Predict', request, 200);
    expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const served = svc.app.models.get('jit-defect');
    await waitFor(() => served.queuedRows === 0, { message: 'the expired request to leave the queue' });
    const metrics = await (await fetch(`${svc.running.metricsUrl}/metrics`)).text();
    // Two requests were computed (one batch of 2); the refused and the expired one never reached the session.
    expect(metrics).toMatch(/omen_inference_batch_size_sum\{[^}]*model="jit-defect\/v1"[^}]*\} 2\b/);
  });
});

describe('Redis down', () => {
  it('keeps serving inline features, fails commit lookups fast with UNAVAILABLE, and recovers', async () => {
    const reg = await createTestRegistry(cleanup);
    await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
    const port = await freePort();
    // Redis is not running when the service starts.
    const svc = await startTestService(cleanup, {
      INFERENCE_REGISTRY_DIR: reg.dir,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    await svc.running.ready;
    const inline = { features: { values: jitValues(2) } };
    const commit = { commit: { repo_id: 'github:acme/x', sha: 'abcdef0123456789'.repeat(4).slice(0, 40) } };

    expect((await call<PredictResponse>(svc.client, 'Predict', inline)).model_version).toBe('v1');
    // A generous deadline: the answer must be UNAVAILABLE, not a wait that runs into it.
    const down = await callError(svc.client, 'Predict', commit, 5000);
    expect(down.code).toBe(grpc.status.UNAVAILABLE);
    expect(down.details).toMatch(/online store \(Redis\) is unavailable/);

    const redisProcess = await startRedis(port);
    const notFound = await waitFor(
      async () => {
        const err = await callError(svc.client, 'Predict', commit, 5000);
        return err.code === grpc.status.NOT_FOUND ? err : undefined;
      },
      { message: 'the service to reconnect to Redis', timeoutMs: 20_000 },
    );
    expect(notFound.details).toMatch(/no jit_change_metrics@v1 features for commit "abcdef0123456789/);

    const redis = new Redis({ port, host: '127.0.0.1' });
    await redis.hset(
      `${svc.featurePrefix}:{github:acme/x}:abcdef0123456789abcdef0123456789abcdef01`,
      'jit_change_metrics@v1',
      JSON.stringify({ values: jitValues(2), file_metrics: null, computed_at: 1, event_time: 1 }),
    );
    redis.disconnect();
    const byCommit = await call<PredictResponse>(svc.client, 'Predict', commit);
    expect(byCommit.bug_probability).toBe((await call<PredictResponse>(svc.client, 'Predict', inline)).bug_probability);

    redisProcess.kill('SIGKILL');
    await once(redisProcess, 'exit');
    const again = await waitFor(
      async () => {
        const err = await callError(
          svc.client,
          'Predict',
          { commit: { repo_id: 'github:acme/x', sha: 'abcdef01234567890'.repeat(3).slice(0, 40) } },
          5000,
        ).catch(() => undefined);
        return err?.code === grpc.status.UNAVAILABLE ? err : undefined;
      },
      { message: 'UNAVAILABLE after Redis died' },
    );
    expect(again.code).toBe(grpc.status.UNAVAILABLE);
    expect((await call<PredictResponse>(svc.client, 'Predict', inline)).model_version).toBe('v1');
  });
});
