// A service as its own process (main.ts under tsx, as deployed), for tests that must see it
// die, restart or read only what its environment says: started on free ports, its JSON log
// lines kept, stopped with SIGTERM (SIGKILL after 15 s).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { checkHealth } from '@omen/grpc';
import { repoRoot } from '@omen/stack';
import { waitFor } from './kafka.ts';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** `127.0.0.1:port` of its gRPC server. */
  readonly address: string;
  /** Its log lines, the last `keepLogLines`. */
  readonly logs: string[];
  /** Whether the process is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  /** How long to wait for SERVING. @default 120000 */
  timeoutMs?: number;
  /** @default 1000 */
  keepLogLines?: number;
}

/**
 * Starts `services/<name>/src/main.ts` with `env` (besides PATH, HOME, loopback ports chosen by
 * the OS, info logs and a 2 s shutdown grace) and resolves once it answers SERVING; rejects
 * with its last log lines if it exits or does not get there in time.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const keep = options.keepLogLines ?? 1000;
  const logs: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('services', name, 'src', 'main.ts')], {
    cwd: repoRoot(),
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      // Inference's HTTP/JSON surface: a free port too, never the local default 8084.
      INFERENCE_HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE: '2s',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let port: number | undefined;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      if (port === undefined && line.includes('grpc server listening')) {
        try {
          port = Number((JSON.parse(line) as { port?: unknown }).port);
        } catch {
          // another line that mentions it
        }
      }
      logs.push(line.length > 4000 ? `${line.slice(0, 4000)}…` : line);
      if (logs.length > keep) logs.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (!alive()) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(() => port !== undefined || !alive(), { timeoutMs, message: `${name} to listen` });
    if (port === undefined) throw new Error(`${name} exited before listening: ${logs.slice(-10).join('\n')}`);
    const address = `127.0.0.1:${port}`;
    await waitFor(async () => !alive() || (await checkHealth(address)) === 'SERVING', {
      timeoutMs,
      intervalMs: 250,
      message: `${name} to be SERVING (logs: ${logs.slice(-5).join(' | ')})`,
    });
    if (!alive()) throw new Error(`${name} exited while starting: ${logs.slice(-10).join('\n')}`);
    return { child, address, logs, alive, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
