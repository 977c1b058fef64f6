// The real trainer-coordinator as its own process (main.ts, as deployed), for tests of what
// inference reads from it: started on free ports with only the environment a test gives,
// its JSON log lines collected, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, repoRoot, type trainerV1 } from '@omen/contracts';
import { callUnary, checkHealth, createClient } from '@omen/grpc';
import { waitFor } from '@omen/testing';

export interface TrainerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Starts the trainer and resolves once it answers SERVING. `env` is all it gets besides PATH/HOME and the ports. */
export async function startTrainerProcess(env: Record<string, string>): Promise<TrainerProcess> {
  const logs: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/trainer-coordinator/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE: '2s',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const listening = await waitFor(() => logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'grpc server listening'), {
      timeoutMs: 60_000,
      message: `the trainer to listen (logs: ${logs.slice(-5).join(' | ')})`,
    });
    const address = `127.0.0.1:${String(listening['port'])}`;
    await waitFor(async () => (await checkHealth(address)) === 'SERVING', { timeoutMs: 60_000, message: 'the trainer to serve' });
    return { child, address, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Every event of a run until the trainer ends the stream. */
export function watchRun(client: trainerV1.TrainerClient, runId: string): Promise<trainerV1.RunEvent__Output[]> {
  return new Promise((resolve, reject) => {
    const events: trainerV1.RunEvent__Output[] = [];
    const stream = client.WatchRun({ run_id: runId }, new grpc.Metadata(), { deadline: Date.now() + 300_000 });
    stream.on('data', (e: trainerV1.RunEvent__Output) => events.push(e));
    stream.on('error', reject);
    stream.on('end', () => resolve(events));
  });
}

/** The trainer's own test slice of the ISSTA'21 Qt change metrics (a data file, not code). */
export const QT_CSV = path.join(repoRoot, 'services', 'trainer-coordinator', 'test', 'fixtures', 'qt-first-4000.csv.gz');

/** Trains `model` on QT_CSV in the trainer (gbdt, auto-promoted) and returns the run's last state. */
export async function trainChampion(address: string, token: string, model: string): Promise<trainerV1.Run__Output | null | undefined> {
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  const admin = createClient(Trainer, address, { token, deadlineMs: 60_000 });
  try {
    const run = await callUnary<trainerV1.Run__Output>(admin, 'StartRun', { model_name: model, row_source: `csv:${QT_CSV}`, algorithm: 'gbdt', auto_promote: true });
    return (await watchRun(admin, run.run_id)).at(-1)?.run;
  } finally {
    admin.close();
  }
}
