import { afterEach, describe, expect, it } from 'vitest';
import { bool } from '@omen/config';
import { callUnary, createClient, loadProto, standardProtos } from '@omen/grpc';
import { setTimeout as sleep } from 'node:timers/promises';
import { runService, type RunningService } from '@omen/service';

async function waitFor(check: () => Promise<boolean>, options: { timeoutMs: number; message: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.message}`);
    await sleep(20);
  }
}

const Health = loadProto(standardProtos.health).client('grpc.health.v1.Health');
const env = {
  GRPC_HOST: '127.0.0.1',
  GRPC_PORT: '0',
  METRICS_HOST: '127.0.0.1',
  METRICS_PORT: '0',
  LOG_LEVEL: 'silent',
  FLAG: 'yes',
};

describe('runService in process', () => {
  let running: RunningService<unknown> | undefined;
  afterEach(async () => {
    await running?.stop('test over');
    running = undefined;
  });

  it('turns SERVING after start and its dependencies, flips on setDependencyUp, runs hooks in reverse', async () => {
    const order: string[] = [];
    let attempts = 0;
    let setUp: ((up: boolean) => void) | undefined;
    const svc = await runService({
      name: 'in-process',
      ownProcess: false,
      env,
      configSchema: { FLAG: bool() },
      async start(ctx) {
        expect(ctx.config.FLAG).toBe(true);
        ctx.onShutdown(() => void order.push('a'), 'a');
        const conn = await ctx.dependency(
          'flaky',
          () => {
            attempts += 1;
            return attempts < 3 ? Promise.reject(new Error(`refused #${attempts}`)) : Promise.resolve('connection');
          },
          { retry: { initialDelayMs: 10, maxDelayMs: 20 } },
        );
        ctx.onShutdown(() => void order.push(`b:${conn}`), 'b');
        setUp = (up) => ctx.setDependencyUp('flaky', up, 'socket closed');
      },
    });
    running = svc;
    const health = createClient(Health, `127.0.0.1:${svc.grpcPort}`);
    await svc.ready;
    expect(attempts).toBe(3);
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });

    setUp?.(false);
    expect(svc.isReady()).toBe(false);
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
    setUp?.(true);
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    health.close();

    expect(await svc.stop()).toBe(true);
    expect(order).toEqual(['b:connection', 'a']);
    expect(svc.isReady()).toBe(false);
  });

  it('holds NOT_SERVING while anything is blocked (setBlocked), whatever the dependencies say, until every block is cleared', async () => {
    let block: ((name: string, reason: string | undefined) => void) | undefined;
    const svc = await runService({
      name: 'blocked',
      ownProcess: false,
      env,
      configSchema: { FLAG: bool() },
      start(ctx) {
        block = (name, reason) => ctx.setBlocked(name, reason);
      },
    });
    running = svc;
    const health = createClient(Health, `127.0.0.1:${svc.grpcPort}`);
    await svc.ready;
    block?.('consumer g on t/0', 'offsets 3..9 were deleted');
    block?.('consumer g on t/1', 'offsets 1..2 were deleted');
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
    block?.('consumer g on t/0', undefined);
    expect(svc.isReady()).toBe(false);
    block?.('consumer g on t/1', undefined);
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    health.close();
  });

  it('watchDependency: a probe that does not answer in time turns health NOT_SERVING, the next answer SERVING again', async () => {
    let stalled = false;
    let probes = 0;
    const svc = await runService({
      name: 'watched',
      ownProcess: false,
      env,
      configSchema: { FLAG: bool() },
      async start(ctx) {
        await ctx.dependency('engine', () => Promise.resolve('connected'));
        // A stalled engine neither answers nor fails: the probe's promise just never settles.
        ctx.watchDependency(
          'engine',
          () => {
            probes += 1;
            return stalled ? new Promise(() => undefined) : Promise.resolve('PONG');
          },
          { intervalMs: 20, timeoutMs: 100 },
        );
      },
    });
    running = svc;
    await svc.ready;
    const health = createClient(Health, `127.0.0.1:${svc.grpcPort}`);
    const status = async () => (await callUnary<{ status: string }>(health, 'Check', { service: '' })).status;
    expect(await status()).toBe('SERVING');
    stalled = true;
    await waitFor(async () => (await status()) === 'NOT_SERVING', {
      timeoutMs: 5000,
      message: 'NOT_SERVING while the probe hangs',
    });
    const metrics = await (await fetch(`${svc.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/omen_dependency_up\{[^}]*dependency="engine"[^}]*\} 0/);
    stalled = false;
    await waitFor(async () => (await status()) === 'SERVING', {
      timeoutMs: 5000,
      message: 'SERVING once the probe answers',
    });
    expect(probes).toBeGreaterThan(2);
    health.close();
  });

  it('refuses a request larger than maxReceiveMessageBytes with RESOURCE_EXHAUSTED, and GRPC_MAX_RECEIVE_BYTES overrides it', async () => {
    const svc = await runService({
      name: 'small',
      ownProcess: false,
      env,
      configSchema: { FLAG: bool() },
      maxReceiveMessageBytes: 2048,
      start: () => undefined,
    });
    running = svc;
    await svc.ready;
    const health = createClient(Health, `127.0.0.1:${svc.grpcPort}`);
    // A 1 MB id (issue 11: "a 1 MB experiment_id never gets a status back") is refused undecoded.
    const err = await callUnary(health, 'Check', { service: 'x'.repeat(1024 * 1024) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 8 }); // RESOURCE_EXHAUSTED
    expect(await callUnary(health, 'Check', { service: 'y'.repeat(1000) }).catch((e: { code: number }) => e.code)).toBe(
      5,
    ); // NOT_FOUND: it got through
    health.close();
    await svc.stop();

    const wider = await runService({
      name: 'wider',
      ownProcess: false,
      env: { ...env, GRPC_MAX_RECEIVE_BYTES: '4096' },
      configSchema: { FLAG: bool() },
      maxReceiveMessageBytes: 2048,
      start: () => undefined,
    });
    running = wider;
    await wider.ready;
    const client = createClient(Health, `127.0.0.1:${wider.grpcPort}`);
    expect(await callUnary(client, 'Check', { service: 'z'.repeat(3000) }).catch((e: { code: number }) => e.code)).toBe(
      5,
    );
    client.close();
  });

  it('stops waiting for a dependency when shutdown begins, and reports a failing hook', async () => {
    let sawAbort = false;
    const svc = await runService({
      name: 'never-ready',
      ownProcess: false,
      env,
      configSchema: { FLAG: bool() },
      async start(ctx) {
        ctx.onShutdown(() => {
          throw new Error('close failed');
        }, 'broken');
        await ctx.dependency(
          'down',
          ({ signal }) => {
            sawAbort = signal.aborted;
            return Promise.reject(new Error('still down'));
          },
          { retry: { initialDelayMs: 10, maxDelayMs: 10 } },
        );
      },
    });
    expect(svc.isReady()).toBe(false);
    expect(await svc.stop()).toBe(false);
    expect(sawAbort).toBe(false);
  });

  it('throws the ConfigError itself when it does not own the process', async () => {
    await expect(
      runService({
        name: 'bad',
        ownProcess: false,
        env: { ...env, FLAG: 'perhaps' },
        configSchema: { FLAG: bool() },
        start: () => undefined,
      }),
    ).rejects.toThrow('FLAG: expected a boolean (true/false, 1/0, yes/no, on/off), got "perhaps"');
  });
});
