import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_EXIT_CODE } from '@omen/config';
import { callUnary, createClient, loadProto, standardProtos } from '@omen/grpc';

const root = path.resolve(import.meta.dirname, '../../../..');
const fixture = path.join(import.meta.dirname, '../fixtures/late-dependency.ts');
const Health = loadProto(standardProtos.health).client('grpc.health.v1.Health');

interface Child {
  proc: ChildProcess;
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  exited: Promise<number | null>;
}

function startChild(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  let buffered = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  return { proc, logs, stderr, exited };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const children: Child[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

describe('runService in a child process', () => {
  it('reports NOT_SERVING while a dependency is down, SERVING once it is up, and exits 0 on SIGTERM', async () => {
    const depPort = await freePort();
    const child = startChild({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      DEP_PORT: String(depPort),
      LOG_LEVEL: 'info',
    });
    children.push(child);

    await expect
      .poll(() => child.logs.find((l) => l['msg'] === 'grpc server listening'), { timeout: 30_000, interval: 100 })
      .toBeDefined();
    const grpcPort = child.logs.find((l) => l['msg'] === 'grpc server listening')?.['port'] as number;
    const metricsUrl = child.logs.find((l) => l['msg'] === 'metrics server listening')?.['url'] as string;
    const health = createClient(Health, `127.0.0.1:${grpcPort}`);

    // The dependency refuses connections: failed attempts are logged and health says NOT_SERVING.
    await expect
      .poll(
        () =>
          child.logs.filter(
            (l) => l['dependency'] === 'tcp-dep' && l['level'] === 'warn' && typeof l['attempt'] === 'number',
          ).length,
        { timeout: 30_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(2);
    const failed = child.logs.find((l) => l['dependency'] === 'tcp-dep' && typeof l['attempt'] === 'number');
    expect(failed?.['msg']).toMatch(/^tcp-dep unavailable \(attempt 1\): .*ECONNREFUSED.*; retrying in \d+ms$/);
    expect(await callUnary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
    expect((await fetch(`${metricsUrl}/readyz`)).status).toBe(503);
    expect(child.proc.exitCode).toBeNull();

    // The dependency comes up late: the service connects on a retry and turns SERVING.
    const dep = net.createServer((socket) => socket.on('error', () => undefined));
    servers.push(dep);
    await new Promise<void>((r) => dep.listen(depPort, '127.0.0.1', r));
    await expect
      .poll(async () => (await callUnary<{ status: string }>(health, 'Check', { service: '' })).status, {
        timeout: 30_000,
        interval: 100,
      })
      .toBe('SERVING');
    expect((await fetch(`${metricsUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/omen_dependency_up\{.*dependency="tcp-dep".*\} 1/);
    health.close();

    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const messages = child.logs.map((l) => l['msg']);
    // Hooks ran in reverse order of registration, after the shutdown began.
    const shutdownAt = messages.indexOf('shutting down');
    expect(shutdownAt).toBeGreaterThan(-1);
    expect(messages.slice(shutdownAt)).toEqual(expect.arrayContaining(['first hook, runs last']));
    expect(messages.indexOf('closed tcp-dep')).toBeLessThan(messages.indexOf('first hook, runs last'));
    expect(messages.at(-1)).toBe('stopped');
  });

  it('exits non-zero on a bad config, naming every bad variable', async () => {
    const child = startChild({ GRPC_PORT: 'fifty', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud' });
    children.push(child);
    expect(await child.exited).toBe(CONFIG_EXIT_CODE);
    const err = child.stderr.join('');
    expect(err).toContain('config error: GRPC_PORT: expected a TCP port 0..65535, got "fifty"');
    expect(err).toContain(
      'config error: LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(err).toContain(
      'config error: ADMIN_TOKEN: expected a secret of at least 16 characters, got a value of 5 characters (hidden: secret)',
    );
    expect(err).toContain('config error: DEP_PORT: expected a TCP port 0..65535, got nothing (unset)');
    expect(err).not.toContain('short');
    expect(child.logs).toEqual([]);
  });
});
