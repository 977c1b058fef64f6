// Engines of a test's own, for tests that stall or kill an engine: SIGSTOP on the shared stack's
// Redis or NATS would freeze every other test file running beside it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from '@omen/stack';
import type { Cleanup } from './cleanup.ts';
import { waitFor } from './kafka.ts';

export interface PrivateEngine {
  /** `redis://127.0.0.1:PORT` or `nats://127.0.0.1:PORT`. */
  url: string;
  pid: number;
  /**
   * Runs `fn` while the engine is stopped with SIGSTOP (its connections stay open, nothing
   * answers: a hung host, a full disk), and always SIGCONTs it afterwards, even when `fn` throws.
   */
  stalled<T>(fn: () => Promise<T>): Promise<T>;
}

/** A redis-server (Debian's, as the stack uses) on a free loopback port, no persistence. */
export function startPrivateRedis(cleanup: Cleanup): Promise<PrivateEngine> {
  return startPrivateEngine(cleanup, 'redis', (port, dir) => ({
    binary: requireExecutable('redis-server', 'Redis', 'REDIS_URL'),
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
  }));
}

/** A nats-server (core NATS, no JetStream) on a free loopback port. */
export function startPrivateNats(cleanup: Cleanup): Promise<PrivateEngine> {
  return startPrivateEngine(cleanup, 'nats', (port) => ({
    binary: requireExecutable('nats-server', 'NATS', 'NATS_URL'),
    args: ['-a', '127.0.0.1', '-p', String(port)],
  }));
}

async function startPrivateEngine(
  cleanup: Cleanup,
  scheme: 'redis' | 'nats',
  command: (port: number, dir: string) => { binary: string; args: string[] },
): Promise<PrivateEngine> {
  const dir = mkdtempSync(join(tmpdir(), `omen-${scheme}-`));
  const port = await freePort();
  const { binary, args } = command(port, dir);
  const child: ChildProcess = spawn(binary, args, { cwd: dir, stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  const alive = () => child.exitCode === null && child.signalCode === null;
  cleanup(async () => {
    if (alive()) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(async () => alive() && (await accepts(port)), {
    timeoutMs: 10_000,
    message: `the private ${scheme} server on port ${port}`,
  });
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    pid,
    async stalled(fn) {
      process.kill(pid, 'SIGSTOP');
      try {
        return await fn();
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  };
}

// The port is free when asked; the engine binds it a moment later (a race other tests' servers
// on port 0 could only lose to in theory, as the kernel hands out ports in sequence).
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
